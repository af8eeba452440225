// lib/keyring: the raw RSA keyring (ESDK framework/raw-rsa-keyring.md).
//
// EDK written for a data key:
//
//   provider id   = key namespace
//   provider info = key name
//   ciphertext    = RSA-Encrypt(public key, padding, data key)   (modulus size)
//
// Paddings: PKCS#1 v1.5 or OAEP with SHA-1/256/384/512 and MGF1 over the
// same hash, no label. The encryption context is not bound into the wrap.
#ifndef ENVELOPE_LIB_KEYRING_RAW_RSA_KEYRING_H_
#define ENVELOPE_LIB_KEYRING_RAW_RSA_KEYRING_H_

#include <optional>
#include <string>

#include "crypto/rsa.h"
#include "envelope/keyring.hpp"

namespace envelope::keyring {

// RawRsaKeyring implements Keyring; build it with NewRawRsaKeyring.
class RawRsaKeyring final : public Keyring {
 public:
  RawRsaKeyring(std::string key_namespace, std::string key_name, crypto::RsaPadding padding,
                std::optional<crypto::RsaPublicKey> public_key,
                std::optional<crypto::RsaPrivateKey> private_key)
      : namespace_(std::move(key_namespace)),
        name_(std::move(key_name)),
        padding_(padding),
        public_key_(std::move(public_key)),
        private_key_(std::move(private_key)) {}
  Result<void> OnEncrypt(EncryptionMaterials& materials) const override;
  Result<void> OnDecrypt(DecryptionMaterials& materials,
                         std::span<const EncryptedDataKey> edks) const override;

 private:
  std::string namespace_;
  std::string name_;
  crypto::RsaPadding padding_;
  std::optional<crypto::RsaPublicKey> public_key_;
  std::optional<crypto::RsaPrivateKey> private_key_;
};

}  // namespace envelope::keyring

#endif  // ENVELOPE_LIB_KEYRING_RAW_RSA_KEYRING_H_
