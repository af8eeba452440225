// RFC 7512 PKCS#11 URIs (the subset that names a key and how to reach it),
// and reading a PIN from its pin-source.
//
//   pkcs11:token=prod;object=wrap%20key;id=%01%02;type=secret-key
//         ?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=/run/pin
//
// Path attributes are separated by ';', query attributes follow '?' and are
// separated by '&'; every value is percent-decoded.

#include <algorithm>
#include <cctype>
#include <set>

#include "envelope/io.hpp"
#include "envelope/pkcs11.hpp"

namespace envelope {
namespace {

constexpr std::string_view kScheme = "pkcs11:";
constexpr size_t kMaxPin = 256;

tl::unexpected<Error> Bad(std::string what) {
  return MakeError(ErrorCode::invalid_argument, "pkcs11 uri: " + std::move(what));
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Result<std::string> Decode(std::string_view name, std::string_view value) {
  std::string out;
  for (size_t i = 0; i < value.size(); ++i) {
    if (value[i] != '%') {
      out.push_back(value[i]);
      continue;
    }
    const int hi = i + 2 < value.size() ? HexValue(value[i + 1]) : -1;
    const int lo = i + 2 < value.size() ? HexValue(value[i + 2]) : -1;
    if (hi < 0 || lo < 0) return Bad("bad percent escape in attribute '" + std::string(name) + "'");
    out.push_back(static_cast<char>(hi << 4 | lo));
    i += 2;
  }
  return out;
}

// Unreserved per RFC 7512 pk11-pchar, minus the characters that separate
// attributes; everything else is percent-encoded.
bool IsPlain(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~' || c == ':' || c == '[' || c == ']' || c == '@' ||
         c == '!' || c == '$' || c == '\'' || c == '(' || c == ')' || c == '*' || c == '+' ||
         c == ',' || c == '/';
}

void Encode(std::string& out, std::string_view bytes, bool all = false) {
  static const char kHex[] = "0123456789ABCDEF";
  for (unsigned char c : bytes) {
    if (!all && IsPlain(c)) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
}

Result<void> ParseAttributes(std::string_view part, char separator, bool query, Pkcs11Uri& uri,
                             std::set<std::string>& seen) {
  while (!part.empty()) {
    const size_t end = std::min(part.find(separator), part.size());
    const std::string_view attr = part.substr(0, end);
    part.remove_prefix(std::min(end + 1, part.size()));
    if (attr.empty()) continue;
    const size_t eq = attr.find('=');
    if (eq == std::string_view::npos || eq == 0) {
      return Bad("attribute '" + std::string(attr) + "' is not name=value");
    }
    const std::string name(attr.substr(0, eq));
    auto value = Decode(name, attr.substr(eq + 1));
    ENVELOPE_RETURN_IF_ERROR(value);
    if (!seen.insert(name).second) return Bad("attribute '" + name + "' is given twice");
    if (name == "pin-value") {
      return Bad(
          "pin-value is refused: a PIN written into a URI ends up in shell history and process "
          "lists; put it in a file readable only by you and give pin-source=<path>");
    }
    if (!query && name == "token") {
      uri.token = std::move(*value);
    } else if (!query && name == "object") {
      uri.object = std::move(*value);
    } else if (!query && name == "id") {
      uri.id.assign(value->begin(), value->end());
    } else if (!query && name == "type") {
      if (*value != "secret-key") {
        return Bad("type '" + *value + "' cannot be a wrapping key; keys are type=secret-key");
      }
      uri.type = std::move(*value);
    } else if (query && name == "module-path") {
      uri.module_path = std::move(*value);
    } else if (query && name == "pin-source") {
      if (value->starts_with("|")) {
        return Bad("pin-source '|program' is refused: give the path of a file holding the PIN");
      }
      uri.pin_source = std::move(*value);
    }
    // Other attributes (library-*, manufacturer, serial, slot-*, module-name,
    // x-*) do not change which key a keyring uses here; RFC 7512 says
    // unknown ones are ignored.
  }
  return {};
}

}  // namespace

Result<Pkcs11Uri> ParsePkcs11Uri(std::string_view text) {
  if (text.size() < kScheme.size() ||
      !std::equal(kScheme.begin(), kScheme.end(), text.begin(), [](char a, char b) {
        return a == std::tolower(static_cast<unsigned char>(b));
      })) {
    return Bad("must start with 'pkcs11:'");
  }
  text.remove_prefix(kScheme.size());
  const size_t q = std::min(text.find('?'), text.size());
  Pkcs11Uri uri;
  std::set<std::string> seen;
  if (auto r = ParseAttributes(text.substr(0, q), ';', false, uri, seen); !r) {
    return tl::unexpected(r.error());
  }
  if (q < text.size()) {
    ENVELOPE_RETURN_IF_ERROR(ParseAttributes(text.substr(q + 1), '&', true, uri, seen));
  }
  return uri;
}

std::string FormatPkcs11Uri(const Pkcs11Uri& uri) {
  std::string path;
  auto add = [](std::string& out, char sep, std::string_view name, std::string_view value,
                bool all = false) {
    if (value.empty()) return;
    if (!out.empty()) out.push_back(sep);
    out.append(name);
    out.push_back('=');
    Encode(out, value, all);
  };
  add(path, ';', "token", uri.token);
  add(path, ';', "object", uri.object);
  add(path, ';', "id",
      std::string_view(reinterpret_cast<const char*>(uri.id.data()), uri.id.size()),
      /*all=*/true);
  add(path, ';', "type", uri.type);
  std::string query;
  add(query, '&', "module-path", uri.module_path);
  add(query, '&', "pin-source", uri.pin_source);
  std::string out = "pkcs11:" + path;
  if (!query.empty()) out += "?" + query;
  return out;
}

Result<SecretBytes> ReadPkcs11Pin(std::string_view pin_source) {
  std::string path(pin_source);
  if (path.starts_with("file://")) {
    path.erase(0, 7);
  } else if (path.starts_with("file:")) {
    path.erase(0, 5);
  }
  if (path.empty() || path.starts_with("|")) {
    return MakeError(ErrorCode::invalid_argument,
                     "pkcs11: pin-source must be the path of a file holding the PIN");
  }
  // The one reader of secrets (envelope/io.hpp): read(2) straight into
  // secret memory, no stdio buffer keeping a copy of the PIN.
  auto buffer = ReadSecret({SecretSource::Kind::file, path}, kMaxPin + 2);
  if (!buffer) {
    if (buffer.error().code() == ErrorCode::invalid_argument) {  // empty, or too long
      return MakeError(ErrorCode::invalid_argument,
                       "pkcs11: the PIN file '" + path + "' must hold 1 to 256 bytes");
    }
    return MakeError(ErrorCode::io, "pkcs11: cannot read the PIN file '" + path + "'");
  }
  size_t n = buffer->size();
  if (n > 0 && buffer->data()[n - 1] == '\n') --n;
  if (n > 0 && buffer->data()[n - 1] == '\r') --n;
  if (n == 0 || n > kMaxPin) {
    return MakeError(ErrorCode::invalid_argument,
                     "pkcs11: the PIN file '" + path + "' must hold 1 to 256 bytes");
  }
  return SecretBytes::CopyFrom(buffer->span().first(n));
}

}  // namespace envelope
