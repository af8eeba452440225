// lib/aws: the AWS KMS keyrings (include/envelope/aws_kms.hpp has the EDK
// layout and what each keyring accepts).
#ifndef ENVELOPE_LIB_AWS_AWS_KMS_KEYRING_H_
#define ENVELOPE_LIB_AWS_AWS_KMS_KEYRING_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "envelope/aws_kms.hpp"

namespace envelope::aws {

// DecryptAttempts collects what each Decrypt call of a keyring answered, so
// that a keyring that opens no data key reports every attempt.
class DecryptAttempts {
 public:
  // Add records that `key` failed with `error`.
  void Add(std::string_view key, const Error& error);
  // Fail returns the error of the keyring named `who`: not_found when
  // nothing was tried (with `nothing_tried`), else every attempt in order,
  // with the code of the first attempt that was not an authentication
  // failure (auth_failed when all were).
  tl::unexpected<Error> Fail(std::string_view who, std::string_view nothing_tried) const;

 private:
  std::vector<std::string> lines_;
  std::optional<ErrorCode> code_;
};

// AwsKmsKey is a configured key and the client of its region.
struct AwsKmsKey {
  std::string id;
  std::shared_ptr<AwsKmsClient> client;
};

// AwsKmsKeyring is NewAwsKmsKeyring's keyring.
class AwsKmsKeyring final : public Keyring {
 public:
  AwsKmsKeyring(std::optional<AwsKmsKey> generator, std::vector<AwsKmsKey> children,
                std::vector<std::string> grant_tokens, bool mrk_aware)
      : generator_(std::move(generator)),
        children_(std::move(children)),
        grant_tokens_(std::move(grant_tokens)),
        mrk_aware_(mrk_aware) {}
  Result<void> OnEncrypt(EncryptionMaterials& materials) const override;
  Result<void> OnDecrypt(DecryptionMaterials& materials,
                         std::span<const EncryptedDataKey> edks) const override;

 private:
  std::optional<AwsKmsKey> generator_;
  std::vector<AwsKmsKey> children_;
  std::vector<std::string> grant_tokens_;
  bool mrk_aware_;
};

// AwsKmsDiscoveryKeyring is NewAwsKmsDiscoveryKeyring's keyring.
class AwsKmsDiscoveryKeyring final : public Keyring {
 public:
  AwsKmsDiscoveryKeyring(AwsKmsDiscoveryConfig config, AwsKmsClientSupplier supplier)
      : config_(std::move(config)), supplier_(std::move(supplier)) {}
  Result<void> OnEncrypt(EncryptionMaterials& materials) const override;
  Result<void> OnDecrypt(DecryptionMaterials& materials,
                         std::span<const EncryptedDataKey> edks) const override;

 private:
  AwsKmsDiscoveryConfig config_;
  AwsKmsClientSupplier supplier_;
};

}  // namespace envelope::aws

#endif  // ENVELOPE_LIB_AWS_AWS_KMS_KEYRING_H_
