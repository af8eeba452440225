// lib/keyring: the KMS keyring (include/envelope/kms_keyring.hpp has the
// EDK layout and the error rules).
#ifndef ENVELOPE_LIB_KEYRING_KMS_KEYRING_H_
#define ENVELOPE_LIB_KEYRING_KMS_KEYRING_H_

#include <memory>
#include <string>

#include "envelope/kms_keyring.hpp"

namespace envelope::keyring {

// KmsKeyring implements Keyring over a KmsClient; build it with
// NewKmsKeyring (key_ non-empty) or NewKmsDiscoveryKeyring (key_ empty:
// decrypt only, any key).
class KmsKeyring final : public Keyring {
 public:
  KmsKeyring(std::shared_ptr<KmsClient> client, std::string key)
      : client_(std::move(client)), key_(std::move(key)) {}
  Result<void> OnEncrypt(EncryptionMaterials& materials) const override;
  Result<void> OnDecrypt(DecryptionMaterials& materials,
                         std::span<const EncryptedDataKey> edks) const override;

 private:
  // Addressed reports whether `edk` may be tried by this keyring without
  // asking the KMS (a key id that differs from a configured key id is not).
  bool Addressed(const EncryptedDataKey& edk) const;

  std::shared_ptr<KmsClient> client_;
  std::string key_;  // key id or alias; empty for discovery
};

// IsKeyId reports whether `text` has the shape of a key id (a UUID in the
// 8-4-4-4-12 hex form, or a multi-Region key's "mrk-" and 32 lowercase hex
// digits).
bool IsKeyId(std::string_view text);

}  // namespace envelope::keyring

#endif  // ENVELOPE_LIB_KEYRING_KMS_KEYRING_H_
