#include "aws/arn.h"

#include <algorithm>
#include <vector>

#include "aws/error_shapes.h"

namespace envelope::aws {
namespace {

tl::unexpected<Error> InvalidArn(std::string message) {
  return MakeAwsError("InvalidArnException", ErrorCode::invalid_argument, std::move(message));
}

bool IsLowerName(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

bool IsHex(char c, bool upper_ok) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (upper_ok && c >= 'A' && c <= 'F');
}

// Quote returns `s` for an error message: at most 80 bytes of it.
std::string Quote(std::string_view s) {
  return "'" + std::string(s.substr(0, 80)) + (s.size() > 80 ? "...'" : "'");
}

}  // namespace

bool IsKnownPartition(std::string_view p) noexcept {
  for (std::string_view known : {"aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e",
                                 "aws-iso-f", "aws-eusc"}) {
    if (p == known) return true;
  }
  return false;
}

std::string Arn::ToString() const {
  return "arn:" + partition + ":" + service + ":" + region + ":" + account + ":" + resource;
}

Result<Arn> ParseArn(std::string_view text) {
  if (text.size() > kMaxArnSize) return InvalidArn("an ARN has at most 2048 characters");
  if (!text.starts_with("arn:")) return InvalidArn("an ARN starts with 'arn:'");
  std::vector<std::string_view> parts;
  std::string_view rest = text.substr(4);
  for (int i = 0; i < 4; ++i) {
    const size_t colon = rest.find(':');
    if (colon == std::string_view::npos) {
      return InvalidArn("an ARN has the form arn:partition:service:region:account:resource");
    }
    parts.push_back(rest.substr(0, colon));
    rest.remove_prefix(colon + 1);
  }
  if (!IsKnownPartition(parts[0])) return InvalidArn("unknown partition " + Quote(parts[0]));
  if (!IsLowerName(parts[1])) return InvalidArn("malformed service " + Quote(parts[1]));
  if (!parts[2].empty() && !IsLowerName(parts[2])) {
    return InvalidArn("malformed region " + Quote(parts[2]));
  }
  if (!parts[3].empty() &&
      (parts[3].size() != 12 || !std::all_of(parts[3].begin(), parts[3].end(),
                                             [](char c) { return c >= '0' && c <= '9'; }))) {
    return InvalidArn("the account must be 12 digits, not " + Quote(parts[3]));
  }
  if (rest.empty() ||
      !std::all_of(rest.begin(), rest.end(), [](char c) { return c > 0x20 && c < 0x7f; })) {
    return InvalidArn("the resource must be non-empty visible ASCII");
  }
  return Arn{std::string(parts[0]), std::string(parts[1]), std::string(parts[2]),
             std::string(parts[3]), std::string(rest)};
}

bool IsKmsKeyId(std::string_view id) noexcept {
  if (id.size() != 36) return false;
  if (id.starts_with("mrk-")) {
    return std::all_of(id.begin() + 4, id.end(), [](char c) { return IsHex(c, false); });
  }
  for (size_t i = 0; i < id.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? id[i] != '-' : !IsHex(id[i], true)) return false;
  }
  return true;
}

bool IsKmsAliasName(std::string_view name) noexcept {
  if (!name.starts_with("alias/") || name.size() <= 6 || name.size() > 256) return false;
  return std::all_of(name.begin() + 6, name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '/' ||
           c == '_' || c == '-';
  });
}

std::string KmsArn::ToString() const {
  return "arn:" + partition + ":kms:" + region + ":" + account + ":" +
         (type == Type::key ? "key/" + name : name);
}

Result<KmsArn> ParseKmsArn(std::string_view text) {
  auto arn = ParseArn(text);
  ENVELOPE_RETURN_IF_ERROR(arn);
  if (arn->service != "kms")
    return InvalidArn("not a KMS ARN: the service is " + Quote(arn->service));
  if (arn->region.empty()) return InvalidArn("a KMS ARN names a region");
  if (arn->account.empty()) return InvalidArn("a KMS ARN names an account");
  KmsArn out{arn->partition, arn->region, arn->account, KmsArn::Type::key, ""};
  const std::string_view resource = arn->resource;
  if (resource.starts_with("key/") && IsKmsKeyId(resource.substr(4))) {
    out.name = std::string(resource.substr(4));
  } else if (IsKmsAliasName(resource)) {
    out.type = KmsArn::Type::alias;
    out.name = std::string(resource);
  } else {
    return InvalidArn("a KMS ARN's resource is key/<key id> or alias/<name>, not " +
                      Quote(resource));
  }
  return out;
}

Result<KeyIdRef> ClassifyKeyId(std::string_view key_id) {
  auto invalid = [&]() {
    return MakeAwsError("NotFoundException", ErrorCode::not_found,
                        "Invalid keyId " + Quote(key_id));
  };
  if (key_id.empty() || key_id.size() > kMaxKeyIdSize) return invalid();
  if (key_id.starts_with("arn:")) {
    auto arn = ParseKmsArn(key_id);
    if (!arn) {
      return MakeAwsError("NotFoundException", ErrorCode::not_found,
                          "Invalid arn " + Quote(key_id) + ": " + ToAwsError(arn.error()).message);
    }
    const KeyIdForm form =
        arn->type == KmsArn::Type::key ? KeyIdForm::key_arn : KeyIdForm::alias_arn;
    const std::string name = arn->name;
    return KeyIdRef{form, name, std::move(*arn)};
  }
  if (key_id.starts_with("alias/")) {
    if (!IsKmsAliasName(key_id)) return invalid();
    return KeyIdRef{KeyIdForm::alias_name, std::string(key_id), std::nullopt};
  }
  if (!IsKmsKeyId(key_id)) return invalid();
  return KeyIdRef{KeyIdForm::key_id, std::string(key_id), std::nullopt};
}

}  // namespace envelope::aws
