#include "keyring/raw_rsa_keyring.h"

#include <algorithm>

#include "keyring/keyring_util.h"
#include "message/wire.h"

namespace envelope::keyring {

Result<void> RawRsaKeyring::OnEncrypt(EncryptionMaterials& materials) const {
  if (!public_key_) {
    return MakeError(ErrorCode::invalid_argument,
                     "raw rsa keyring: no public key, so it cannot encrypt");
  }
  ENVELOPE_ASSIGN_OR_RETURN(auto data_key, DataKeyToWrap::For(materials, "raw rsa keyring"));
  auto wrapped = public_key_->Encrypt(padding_, data_key.key().span());
  if (!wrapped) return tl::unexpected(wrapped.error().WithContext("raw rsa keyring"));
  EncryptedDataKey edk;
  edk.provider_id = namespace_;
  edk.provider_info.assign(name_.begin(), name_.end());
  edk.ciphertext = std::move(*wrapped);
  std::move(data_key).Commit(materials, std::move(edk));
  return {};
}

Result<void> RawRsaKeyring::OnDecrypt(DecryptionMaterials& materials,
                                      std::span<const EncryptedDataKey> edks) const {
  if (!materials.data_key.empty()) return {};
  if (!private_key_) {
    return MakeError(ErrorCode::invalid_argument,
                     "raw rsa keyring: no private key, so it cannot decrypt");
  }
  auto key_size = SuiteKeySize(materials.suite);
  ENVELOPE_RETURN_IF_ERROR(key_size);
  bool addressed = false;
  for (const EncryptedDataKey& edk : edks) {
    // Names compare as bytes, so non-ASCII names ("clé") match too.
    if (edk.provider_id != namespace_ ||
        !std::ranges::equal(edk.provider_info, message::AsBytes(name_))) {
      continue;
    }
    addressed = true;
    auto data_key = private_key_->Decrypt(padding_, edk.ciphertext);
    if (data_key && data_key->size() == *key_size) {
      materials.data_key = std::move(*data_key);
      return {};
    }
  }
  return NoKeyUnwrapped(addressed, "raw rsa keyring", namespace_, name_);
}

}  // namespace envelope::keyring
