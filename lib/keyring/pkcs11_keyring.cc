#include "keyring/pkcs11_keyring.h"

#include <string>

#include "keyring/keyring_util.h"
#include "message/context_codec.h"

namespace envelope::keyring::pkcs11 {
namespace {

constexpr std::string_view kMechanismQuery = "?x-mechanism=";
constexpr size_t kGcmOverhead = 12 + 16;  // IV + tag
// kMaxAttempts bounds the token operations one message may cause before
// anything is authenticated: a message we wrote holds one EDK per key and
// mechanism, so more than a few addressed to one key is hostile (each
// attempt is a round trip to the HSM, possibly over a network).
constexpr int kMaxAttempts = 4;

}  // namespace

std::string_view MechanismName(Pkcs11Mechanism mechanism) {
  return mechanism == Pkcs11Mechanism::aes_key_wrap_pad ? "aes-kwp" : "aes-gcm";
}

Result<void> Pkcs11Keyring::OnEncrypt(EncryptionMaterials& materials) const {
  const bool gcm = mechanism_ == Pkcs11Mechanism::aes_gcm;
  if (gcm ? !rights_.encrypt : !rights_.wrap) {
    return MakeError(ErrorCode::key_state,
                     "pkcs11: key " + uri_ + " may not " + (gcm ? "encrypt" : "wrap") + " (" +
                         (gcm ? "CKA_ENCRYPT" : "CKA_WRAP") +
                         " is false): it can only decrypt data keys; encrypt with another key");
  }
  ENVELOPE_ASSIGN_OR_RETURN(auto data_key, DataKeyToWrap::For(materials, "pkcs11"));
  Result<std::vector<uint8_t>> ciphertext;
  if (gcm) {
    auto aad = message::SerializeContext(materials.context);
    ENVELOPE_RETURN_IF_ERROR(aad);
    ciphertext = SealGcm(data_key.key(), *aad);
  } else {
    ciphertext = WrapKwp(data_key.key());
  }
  ENVELOPE_RETURN_IF_ERROR(ciphertext);
  EncryptedDataKey edk;
  edk.provider_id = std::string(kPkcs11ProviderId);
  const std::string info =
      uri_ + std::string(kMechanismQuery) + std::string(MechanismName(mechanism_));
  edk.provider_info.assign(info.begin(), info.end());
  edk.ciphertext = std::move(*ciphertext);
  std::move(data_key).Commit(materials, std::move(edk));
  return {};
}

Result<void> Pkcs11Keyring::OnDecrypt(DecryptionMaterials& materials,
                                      std::span<const EncryptedDataKey> edks) const {
  if (!materials.data_key.empty()) return {};
  auto key_size = SuiteKeySize(materials.suite);
  ENVELOPE_RETURN_IF_ERROR(key_size);
  std::optional<std::vector<uint8_t>> aad;
  bool addressed = false;
  int attempts = 0;
  for (const EncryptedDataKey& edk : edks) {
    if (edk.provider_id != kPkcs11ProviderId) continue;
    const std::string_view info(reinterpret_cast<const char*>(edk.provider_info.data()),
                                edk.provider_info.size());
    if (!info.starts_with(uri_) || !info.substr(uri_.size()).starts_with(kMechanismQuery)) {
      continue;
    }
    const std::string_view name = info.substr(uri_.size() + kMechanismQuery.size());
    if (attempts == kMaxAttempts) {
      return MakeError(ErrorCode::limit_exceeded,
                       "pkcs11: the message has more than " + std::to_string(kMaxAttempts) +
                           " data keys for key " + uri_ + "; not trying more");
    }
    Result<SecretBytes> data_key = MakeError(ErrorCode::auth_failed, "");
    if (name == MechanismName(Pkcs11Mechanism::aes_gcm)) {
      if (edk.ciphertext.size() != *key_size + kGcmOverhead) continue;
      addressed = true;
      if (!rights_.decrypt) {
        return MakeError(ErrorCode::key_state,
                         "pkcs11: key " + uri_ + " may not decrypt (CKA_DECRYPT is false)");
      }
      if (!aad) {
        auto serialized = message::SerializeContext(materials.context);
        ENVELOPE_RETURN_IF_ERROR(serialized);
        aad = std::move(*serialized);
      }
      ++attempts;
      data_key = OpenGcm(edk.ciphertext, *aad, *key_size);
    } else if (name == MechanismName(Pkcs11Mechanism::aes_key_wrap_pad)) {
      if (edk.ciphertext.size() != (*key_size + 7) / 8 * 8 + 8) continue;
      addressed = true;
      if (!rights_.unwrap) {
        return MakeError(ErrorCode::key_state,
                         "pkcs11: key " + uri_ + " may not unwrap (CKA_UNWRAP is false)");
      }
      ++attempts;
      data_key = UnwrapKwp(edk.ciphertext, *key_size);
    } else {
      continue;
    }
    if (data_key) {
      materials.data_key = std::move(*data_key);
      return {};
    }
    // A tag that does not verify means a wrong key or context: try the next
    // EDK. Anything else (session lost, key gone) is not the message's fault
    // and is reported as it is.
    if (data_key.error().code() != ErrorCode::auth_failed) return tl::unexpected(data_key.error());
  }
  return NoKeyUnwrapped(addressed, "pkcs11 keyring", kPkcs11ProviderId, uri_);
}

}  // namespace envelope::keyring::pkcs11
