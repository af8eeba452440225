// --wrapping-key provider=NS,key=NAME,file=PATH[,type=...]: raw AES and RSA
// wrapping keys read from files, for messages other AWS Encryption SDKs
// read and write with the same namespace, name and key. A value holding a
// comma is quoted (key="a,b") or escaped (key=a\,b).
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "cli/secret_input.h"
#include "commands/keys.h"

namespace envelope::cli {
namespace {

constexpr size_t kMaxPemSize = 64 * 1024;

tl::unexpected<Error> Bad(const std::string& spec, const std::string& why) {
  return MakeError(ErrorCode::invalid_argument, "--wrapping-key \"" + spec + "\": " + why);
}

std::optional<RsaPadding> PaddingFor(std::string_view type) {
  if (type == "rsa-oaep-sha256" || type == "rsa") return RsaPadding::oaep_sha256;
  if (type == "rsa-oaep-sha1") return RsaPadding::oaep_sha1;
  if (type == "rsa-oaep-sha384") return RsaPadding::oaep_sha384;
  if (type == "rsa-oaep-sha512") return RsaPadding::oaep_sha512;
  if (type == "rsa-pkcs1") return RsaPadding::pkcs1_v15;
  return std::nullopt;
}

bool Contains(const SecretBytes& text, std::string_view needle) {
  const std::string_view hay(reinterpret_cast<const char*>(text.data()), text.size());
  return hay.find(needle) != std::string_view::npos;
}

// SplitItems cuts a spec at its commas, except a comma escaped with a
// backslash (\, ; \\ is a backslash) or inside double quotes (which are
// dropped: key="a,b"), so names and paths may hold commas.
Result<std::vector<std::string>> SplitItems(const std::string& spec) {
  std::vector<std::string> items(1);
  bool quoted = false;
  for (size_t i = 0; i < spec.size(); ++i) {
    const char c = spec[i];
    if (c == '\\') {
      if (++i == spec.size()) return Bad(spec, "a backslash at the end escapes nothing");
      items.back() += spec[i];
    } else if (c == '"') {
      quoted = !quoted;
    } else if (c == ',' && !quoted) {
      items.emplace_back();
    } else {
      items.back() += c;
    }
  }
  if (quoted) return Bad(spec, "a double quote is not closed");
  return items;
}

}  // namespace

Result<std::shared_ptr<const Keyring>> WrappingKeyKeyring(const std::string& spec) {
  std::map<std::string, std::string> fields;
  auto items = SplitItems(spec);
  ENVELOPE_RETURN_IF_ERROR(items);
  for (const std::string& item : *items) {
    const size_t eq = item.find('=');
    if (eq == std::string::npos || eq == 0) return Bad(spec, "expected NAME=VALUE items");
    const std::string name = item.substr(0, eq);
    if (name != "provider" && name != "key" && name != "file" && name != "type") {
      return Bad(spec, "unknown item \"" + name + "\" (use provider, key, file, type)");
    }
    if (!fields.emplace(name, item.substr(eq + 1)).second) {
      return Bad(spec, "\"" + name + "\" given twice");
    }
  }
  for (const char* need : {"provider", "key", "file"}) {
    if (fields[need].empty()) return Bad(spec, std::string("missing ") + need + "=");
  }
  const SecretSource source{SecretSource::Kind::file, fields["file"]};
  auto material = ReadSecret(source, kMaxPemSize);
  ENVELOPE_RETURN_IF_ERROR(material);

  const bool pem = Contains(*material, "-----BEGIN");
  std::string type = fields["type"];
  if (type.empty()) type = pem ? "rsa-oaep-sha256" : "aes";
  if (type == "aes") {
    if (pem) return Bad(spec, "the key file holds a PEM key, not an AES key");
    if (material->size() == 16 || material->size() == 24 || material->size() == 32) {
      return NewRawAesKeyring(fields["provider"], fields["key"], *material);
    }
    auto key = ParseKey256(*material);
    if (!key) {
      return Bad(spec,
                 "an AES key file must hold 16, 24 or 32 raw bytes, or 64 hex digits or "
                 "44 base64 characters");
    }
    return NewRawAesKeyring(fields["provider"], fields["key"], *key);
  }
  const auto padding = PaddingFor(type);
  if (!padding) {
    return Bad(spec, "unknown type \"" + type +
                         "\" (aes, rsa-oaep-sha256, rsa-oaep-sha1, rsa-oaep-sha384, "
                         "rsa-oaep-sha512, rsa-pkcs1)");
  }
  if (!pem) return Bad(spec, "an RSA key file must hold a PEM public or private key");
  const std::string_view text(reinterpret_cast<const char*>(material->data()), material->size());
  const bool is_private = Contains(*material, "PRIVATE KEY-----");
  return NewRawRsaKeyring(fields["provider"], fields["key"], *padding,
                          is_private ? std::string_view() : text,
                          is_private ? text : std::string_view());
}

}  // namespace envelope::cli
