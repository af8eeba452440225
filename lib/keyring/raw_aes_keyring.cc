#include "keyring/raw_aes_keyring.h"

#include <algorithm>

#include "crypto/aes_gcm.h"
#include "crypto/random.h"
#include "keyring/keyring_util.h"
#include "message/context_codec.h"
#include "message/suite.h"
#include "message/wire.h"

namespace envelope::keyring {
namespace {

constexpr size_t kIvSize = 12;
constexpr size_t kTagSize = 16;

}  // namespace

Result<void> RawAesKeyring::OnEncrypt(EncryptionMaterials& materials) const {
  ENVELOPE_ASSIGN_OR_RETURN(auto data_key, DataKeyToWrap::For(materials, "raw aes keyring"));
  auto aad = message::SerializeContext(materials.context);
  ENVELOPE_RETURN_IF_ERROR(aad);
  uint8_t iv[kIvSize];
  if (auto r = crypto::RandomBytes(iv); !r) return r;
  EncryptedDataKey edk;
  edk.provider_id = namespace_;
  edk.provider_info.assign(name_.begin(), name_.end());
  message::AppendUint(edk.provider_info, kTagSize * 8, 4);
  message::AppendUint(edk.provider_info, kIvSize, 4);
  message::AppendBytes(edk.provider_info, iv);
  edk.ciphertext.resize(data_key.key().size() + kTagSize);
  if (auto r = crypto::AesGcmSeal(key_.span(), iv, *aad, data_key.key().span(), edk.ciphertext);
      !r) {
    return r;
  }
  std::move(data_key).Commit(materials, std::move(edk));
  return {};
}

Result<void> RawAesKeyring::OnDecrypt(DecryptionMaterials& materials,
                                      std::span<const EncryptedDataKey> edks) const {
  if (!materials.data_key.empty()) return {};
  auto key_size = SuiteKeySize(materials.suite);
  ENVELOPE_RETURN_IF_ERROR(key_size);
  auto aad = message::SerializeContext(materials.context);
  ENVELOPE_RETURN_IF_ERROR(aad);
  const size_t info_size = name_.size() + 8 + kIvSize;
  bool addressed = false;
  for (const EncryptedDataKey& edk : edks) {
    const auto& info = edk.provider_info;
    // Names compare as bytes (message::AsBytes): a name with bytes >= 0x80
    // (UTF-8 "clé") must match the provider info it was written to.
    if (edk.provider_id != namespace_ || info.size() != info_size ||
        !std::ranges::equal(message::AsBytes(name_), std::span(info).first(name_.size()))) {
      continue;
    }
    message::Reader r{std::span(info).subspan(name_.size())};
    auto tag_bits = r.U32();
    auto iv_len = r.U32();
    auto iv = r.Bytes(kIvSize);
    if (!tag_bits || *tag_bits != kTagSize * 8 || !iv_len || *iv_len != kIvSize || !iv ||
        edk.ciphertext.size() != *key_size + kTagSize) {
      continue;
    }
    addressed = true;
    auto data_key = SecretBytes::Allocate(*key_size);
    ENVELOPE_RETURN_IF_ERROR(data_key);
    if (crypto::AesGcmOpen(key_.span(), *iv, *aad, edk.ciphertext, data_key->span())) {
      materials.data_key = std::move(*data_key);
      return {};
    }
  }
  return NoKeyUnwrapped(addressed, "raw aes keyring", namespace_, name_);
}

}  // namespace envelope::keyring
