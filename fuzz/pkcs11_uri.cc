// fuzz target pkcs11_uri: the RFC 7512 URI parser of the PKCS#11 keyring
// (lib/keyring/pkcs11_uri.cc), which reads a URI a user or a config file
// gives.
//
// Input: the URI text, as is. Properties:
//  - ParsePkcs11Uri fails only with `invalid_argument`;
//  - what it accepts starts with "pkcs11:" (any case), has no attribute
//    named pin-value, none without a name or an '=', none twice, a type of "secret-key" or none and
//    a pin-source that does not start with '|' (checked by an independent
//    split of the text);
//  - FormatPkcs11Uri of an accepted URI is ASCII with no byte that needs
//    escaping left bare, parses back to the same fields, and formats again
//    to the same text;
//  - an error message does not change when a pin-value's value (a PIN)
//    does;
//  - ReadPkcs11Pin, given the input itself as the contents of a PIN file
//    (mode 0600, in the harness's scratch folder) named as a path, a
//    "file:" or a "file://" URI (which one from a hash of the input): the PIN
//    is the contents minus one trailing "\n" and then one "\r", accepted
//    when that is 1 to 256 bytes of a file of at most 258; otherwise
//    `invalid_argument` with a message that does not change when the PIN's
//    bytes do; a missing file is `io`; an empty path or a program ('|') is
//    `invalid_argument` without reading anything.
#include <sys/stat.h>

#include <cctype>
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "envelope/pkcs11.hpp"
#include "fuzz_util.h"
#include "scratch.h"

namespace {

using namespace envelope;

bool Same(const Pkcs11Uri& a, const Pkcs11Uri& b) {
  return a.token == b.token && a.object == b.object && a.id == b.id && a.type == b.type &&
         a.module_path == b.module_path && a.pin_source == b.pin_source;
}

// Attribute is one name=value of the text, split independently of the
// parser; the value stays percent-encoded.
struct Attribute {
  std::string name, value;
  bool has_equals = false;
};

std::vector<Attribute> Split(std::string_view text) {
  std::vector<Attribute> out;
  text.remove_prefix(std::min<size_t>(7, text.size()));
  const size_t q = text.find('?');
  auto split = [&out](std::string_view part, char sep) {
    size_t start = 0;
    while (start <= part.size()) {
      size_t end = part.find(sep, start);
      if (end == std::string_view::npos) end = part.size();
      const std::string_view attr = part.substr(start, end - start);
      const size_t eq = attr.find('=');
      if (eq != std::string_view::npos) {
        out.push_back({std::string(attr.substr(0, eq)), std::string(attr.substr(eq + 1)), true});
      } else if (!attr.empty()) {
        out.push_back({std::string(attr), "", false});
      }
      start = end + 1;
    }
  };
  split(text.substr(0, q), ';');
  if (q != std::string_view::npos) split(text.substr(q + 1), '&');
  return out;
}

// MaskPins returns `text` with the value of every pin-value attribute
// replaced by as many 'x' (or 'y' where the value has an 'x'), unless it
// holds a '%' (an escape, whose errors differ by design).
std::string MaskPins(std::string_view text) {
  std::string out(text);
  const size_t q = text.find('?');
  size_t start = std::min<size_t>(7, text.size());
  while (start < text.size()) {
    const char sep = q == std::string_view::npos || start < q ? ';' : '&';
    size_t end = text.find(sep, start);
    if (q != std::string_view::npos && start < q) end = std::min(end, q);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view attr = text.substr(start, end - start);
    if (attr.starts_with("pin-value=") && attr.find('%') == std::string_view::npos) {
      for (size_t i = start + 10; i < end; ++i) out[i] = text[i] == 'x' ? 'y' : 'x';
    }
    start = end + 1;
  }
  return out;
}

// WritePin writes `contents` to the scratch PIN file and returns the path.
std::string WritePin(std::string_view contents) {
  const std::string path = fuzz::ScratchRoot() + "/pin";
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
    FUZZ_CHECK(out.good());
  }
  FUZZ_CHECK(chmod(path.c_str(), 0600) == 0);
  return path;
}

void CheckPin(std::string_view text) {
  static const char* const kPrefixes[] = {"", "file:", "file://"};
  const std::string prefix =
      kPrefixes[fuzz::Mix({reinterpret_cast<const uint8_t*>(text.data()), text.size()}) % 3];
  const std::string path = WritePin(text);
  auto pin = ReadPkcs11Pin(prefix + path);
  size_t n = text.size();
  if (n > 0 && text[n - 1] == '\n') --n;
  if (n > 0 && text[n - 1] == '\r') --n;
  const bool valid = text.size() <= 258 && n >= 1 && n <= 256;
  FUZZ_CHECK(pin.has_value() == valid);
  if (pin) {
    FUZZ_CHECK(pin->size() == n && std::equal(pin->span().begin(), pin->span().end(),
                                              reinterpret_cast<const uint8_t*>(text.data())));
  } else {
    FUZZ_CHECK(pin.error().code() == ErrorCode::invalid_argument);
    // The same refusal for other PIN bytes of the same shape.
    std::string other(text);
    std::fill(other.begin(), other.begin() + static_cast<std::ptrdiff_t>(n), 'x');
    WritePin(other);
    auto again = ReadPkcs11Pin(prefix + path);
    FUZZ_CHECK(!again.has_value() && again.error().ToString() == pin.error().ToString());
  }
  auto missing = ReadPkcs11Pin(prefix + path + ".missing");
  FUZZ_CHECK(!missing.has_value() && missing.error().code() == ErrorCode::io);
  for (const char* none : {"", "file:", "file://", "|cat", "file:|cat", "file://|cat"}) {
    auto refused = ReadPkcs11Pin(none);
    FUZZ_CHECK(!refused.has_value() && refused.error().code() == ErrorCode::invalid_argument);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  CheckPin(text);
  auto uri = ParsePkcs11Uri(text);
  const auto attributes = Split(text);
  if (!uri) {
    FUZZ_CHECK(uri.error().code() == ErrorCode::invalid_argument);
    // The message does not depend on a PIN: with every pin-value value
    // masked (same length, no separator or escape), it is the same. (Searching
    // the message for the PIN is no test: the fuzzer copies the message's own
    // words into the URI.)
    const std::string masked = MaskPins(text);
    if (masked != text) {
      auto again = ParsePkcs11Uri(masked);
      FUZZ_CHECK(!again.has_value());
      FUZZ_CHECK(again.error().ToString() == uri.error().ToString());
    }
    return 0;
  }
  FUZZ_CHECK(size >= 7);
  for (size_t i = 0; i < 7; ++i) {
    FUZZ_CHECK(std::tolower(static_cast<unsigned char>(text[i])) == "pkcs11:"[i]);
  }
  std::set<std::string> names;
  for (const Attribute& a : attributes) {
    FUZZ_CHECK(a.name != "pin-value");
    FUZZ_CHECK(a.has_equals && !a.name.empty());
    FUZZ_CHECK(names.insert(a.name).second);
  }
  FUZZ_CHECK(uri->type.empty() || uri->type == "secret-key");
  FUZZ_CHECK(!uri->pin_source.starts_with("|"));

  const std::string formatted = FormatPkcs11Uri(*uri);
  for (unsigned char c : formatted) FUZZ_CHECK(c > 0x20 && c < 0x7f);
  auto again = ParsePkcs11Uri(formatted);
  FUZZ_CHECK(again.has_value());
  FUZZ_CHECK(Same(*uri, *again));
  FUZZ_CHECK(FormatPkcs11Uri(*again) == formatted);
  return 0;
}
