// lib/keyring: small helpers shared by the keyrings.
#ifndef ENVELOPE_LIB_KEYRING_KEYRING_UTIL_H_
#define ENVELOPE_LIB_KEYRING_KEYRING_UTIL_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

#include "envelope/error.hpp"
#include "envelope/materials.hpp"
#include "envelope/secret.hpp"
#include "message/decryptor.h"
#include "message/suite.h"

namespace envelope::keyring {

// SuiteKeySize returns the data key size of `suite`, or `unsupported`.
inline Result<size_t> SuiteKeySize(AlgorithmSuiteId suite) {
  const auto* info = message::FindSuite(static_cast<uint16_t>(suite));
  if (info == nullptr) return MakeError(ErrorCode::unsupported, "keyring: unknown suite");
  return info->key_size;
}

// NoKeyUnwrapped is the failure of OnDecrypt: `not_found` when no EDK was
// addressed to the keyring, else the fixed authentication failure.
inline tl::unexpected<Error> NoKeyUnwrapped(bool addressed, std::string_view keyring,
                                            std::string_view key_namespace,
                                            std::string_view key_name) {
  if (addressed) return message::AuthFailed();
  return MakeError(ErrorCode::not_found,
                   std::string(keyring) + ": no encrypted data key is addressed to namespace '" +
                       std::string(key_namespace) + "', key name '" + std::string(key_name) + "'");
}

// DataKeyToWrap is the data key a keyring's OnEncrypt wraps: the materials'
// own when a keyring before it generated one, else a fresh random key of the
// suite's size. A fresh key becomes the materials' only in Commit, after the
// keyring made its EDK, so a keyring that fails leaves the materials as they
// were. It borrows the materials' key: use it within one OnEncrypt.
class DataKeyToWrap {
 public:
  // For checks the materials' key, or generates one. Fails with
  // `unsupported` for an unknown suite and `invalid_argument`
  // ("<keyring>: data key has the wrong size") for a key of another size.
  [[nodiscard]] static Result<DataKeyToWrap> For(const EncryptionMaterials& materials,
                                                 std::string_view keyring) {
    ENVELOPE_ASSIGN_OR_RETURN(const size_t key_size, SuiteKeySize(materials.suite));
    DataKeyToWrap out;
    if (materials.data_key.empty()) {
      ENVELOPE_ASSIGN_OR_RETURN(out.generated_, SecretBytes::Random(key_size));
    } else {
      out.existing_ = &materials.data_key;
    }
    if (out.key().size() != key_size) {
      return MakeError(ErrorCode::invalid_argument,
                       std::string(keyring) + ": data key has the wrong size");
    }
    return out;
  }

  // key is the data key to wrap.
  const SecretBytes& key() const { return existing_ != nullptr ? *existing_ : generated_; }

  // Commit adds `edk` to `materials` (the ones For saw) and hands them the
  // generated key, if one was.
  void Commit(EncryptionMaterials& materials, EncryptedDataKey edk) && {
    if (existing_ == nullptr) materials.data_key = std::move(generated_);
    materials.encrypted_data_keys.push_back(std::move(edk));
  }

 private:
  DataKeyToWrap() = default;
  const SecretBytes* existing_ = nullptr;
  SecretBytes generated_;
};

}  // namespace envelope::keyring

#endif  // ENVELOPE_LIB_KEYRING_KEYRING_UTIL_H_
