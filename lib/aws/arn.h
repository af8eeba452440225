// lib/aws: Amazon Resource Names, and the four ways AWS KMS lets a caller
// name a key.
//
//   arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE
//   arn:aws:kms:us-east-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab
//   arn:aws:kms:us-east-2:111122223333:alias/ExampleAlias
#ifndef ENVELOPE_LIB_AWS_ARN_H_
#define ENVELOPE_LIB_AWS_ARN_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "envelope/error.hpp"

namespace envelope::aws {

// kMaxArnSize and kMaxKeyIdSize are AWS's limits (2048 characters).
inline constexpr size_t kMaxArnSize = 2048;
inline constexpr size_t kMaxKeyIdSize = 2048;

// IsKnownPartition reports whether `p` is an AWS partition: aws, aws-cn,
// aws-us-gov, aws-iso, aws-iso-b, aws-iso-e, aws-iso-f or aws-eusc.
bool IsKnownPartition(std::string_view p) noexcept;

// Arn is a parsed ARN. region and account may be empty (S3 buckets, IAM);
// resource may contain ':' and '/'.
struct Arn {
  std::string partition;
  std::string service;
  std::string region;
  std::string account;
  std::string resource;

  // ToString returns "arn:partition:service:region:account:resource".
  std::string ToString() const;
  friend bool operator==(const Arn&, const Arn&) = default;
};

// ParseArn accepts "arn:" + a known partition, a service of lower-case
// letters, digits and '-', a region that is empty or such a name, an account
// that is empty or exactly 12 digits, and a non-empty resource of visible
// ASCII characters; at most kMaxArnSize characters. ParseArn(s)->ToString()
// == s. Fails with `invalid_argument`, "InvalidArnException: ...".
[[nodiscard]] Result<Arn> ParseArn(std::string_view text);

// IsKmsKeyId reports whether `id` is shaped like a KMS key id: a UUID
// (8-4-4-4-12 hex digits, either case) or a multi-Region key id ("mrk-" and
// 32 lowercase hex digits). Whether such a key exists is another question.
bool IsKmsKeyId(std::string_view id) noexcept;

// IsKmsAliasName reports whether `name` is "alias/" followed by 1 or more
// letters, digits, '/', '_' or '-', at most 256 characters in all.
bool IsKmsAliasName(std::string_view name) noexcept;

// KmsArn is a KMS key or alias ARN. `name` is the key id, or for an alias
// the alias name with its "alias/" prefix (as AWS's AliasName is).
struct KmsArn {
  enum class Type { key, alias };
  std::string partition;
  std::string region;
  std::string account;
  Type type = Type::key;
  std::string name;

  // ToString returns the ARN: "arn:P:kms:R:A:key/ID" or "arn:P:kms:R:A:alias/NAME".
  std::string ToString() const;
  friend bool operator==(const KmsArn&, const KmsArn&) = default;
};

// ParseKmsArn accepts an ARN (ParseArn) of service "kms" with a region, a
// 12-digit account and a resource "key/<IsKmsKeyId>" or an alias name
// (IsKmsAliasName). Fails with `invalid_argument`, "InvalidArnException: ...".
[[nodiscard]] Result<KmsArn> ParseKmsArn(std::string_view text);

// KeyIdForm is which of AWS KMS's four ways of naming a key a KeyId uses.
enum class KeyIdForm { key_id, key_arn, alias_name, alias_arn };

// KeyIdRef is a classified KeyId: `name` is the key id or the alias name
// ("alias/..."); `arn` is set for the two ARN forms.
struct KeyIdRef {
  KeyIdForm form = KeyIdForm::key_id;
  std::string name;
  std::optional<KmsArn> arn;
};

// ClassifyKeyId classifies a KeyId argument as AWS KMS does: "arn:..." is a
// key or alias ARN, "alias/..." an alias name, anything else a key id. Fails
// with `not_found`, "NotFoundException: Invalid keyId ...", when the string
// has none of the four shapes (AWS answers NotFoundException, not a
// validation error, for a malformed KeyId), or is empty or longer than
// kMaxKeyIdSize.
[[nodiscard]] Result<KeyIdRef> ClassifyKeyId(std::string_view key_id);

}  // namespace envelope::aws

#endif  // ENVELOPE_LIB_AWS_ARN_H_
