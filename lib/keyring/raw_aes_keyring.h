// lib/keyring: the raw AES keyring (ESDK framework/raw-aes-keyring.md).
//
// EDK written for a data key:
//
//   provider id   = key namespace
//   provider info = +----------+--------------------+-----------------+---------+
//                   | key name | tag bits (4) = 128 | IV len (4) = 12 | IV (12) |
//                   +----------+--------------------+-----------------+---------+
//   ciphertext    = AES-GCM(wrapping key, IV, AAD, data key) || tag (16)
//
// AAD = the serialized encryption context of the materials (count and
// sorted pairs, no length prefix; empty context: empty AAD), so an EDK only
// unwraps under the context it was made for.
#ifndef ENVELOPE_LIB_KEYRING_RAW_AES_KEYRING_H_
#define ENVELOPE_LIB_KEYRING_RAW_AES_KEYRING_H_

#include <string>

#include "envelope/keyring.hpp"
#include "envelope/secret.hpp"

namespace envelope::keyring {

// RawAesKeyring implements Keyring; build it with NewRawAesKeyring.
class RawAesKeyring final : public Keyring {
 public:
  RawAesKeyring(std::string key_namespace, std::string key_name, SecretBytes wrapping_key)
      : namespace_(std::move(key_namespace)),
        name_(std::move(key_name)),
        key_(std::move(wrapping_key)) {}
  Result<void> OnEncrypt(EncryptionMaterials& materials) const override;
  Result<void> OnDecrypt(DecryptionMaterials& materials,
                         std::span<const EncryptedDataKey> edks) const override;

 private:
  std::string namespace_;
  std::string name_;
  SecretBytes key_;
};

}  // namespace envelope::keyring

#endif  // ENVELOPE_LIB_KEYRING_RAW_AES_KEYRING_H_
