#include "keyring/customer_key_keyring.h"

#include <string_view>

#include "crypto/aes_gcm.h"
#include "crypto/digest.h"
#include "crypto/hkdf.h"
#include "crypto/random.h"
#include "keyring/keyring_util.h"
#include "message/base64.h"
#include "message/context_codec.h"
#include "message/decryptor.h"
#include "message/wire.h"

namespace envelope::keyring {
namespace {

constexpr uint8_t kVersion = 1;
constexpr size_t kSaltSize = 32;
constexpr size_t kFingerprintSize = 32;
constexpr size_t kIvSize = crypto::kGcmIvSize;
constexpr size_t kInfoSize = 1 + kSaltSize + kFingerprintSize + kIvSize;
constexpr std::string_view kWrapLabel = "envelope sse-c v1 wrap";
constexpr std::string_view kFingerprintLabel = "envelope sse-c v1 fingerprint";

using message::AsBytes;

Result<void> Fingerprint(const SecretBytes& key, std::span<const uint8_t> salt,
                         std::span<uint8_t> out) {
  std::vector<uint8_t> data(kFingerprintLabel.begin(), kFingerprintLabel.end());
  data.insert(data.end(), salt.begin(), salt.end());
  return crypto::Hmac(crypto::HashAlg::sha256, key.span(), data, out);
}

Result<SecretBytes> WrapKey(const SecretBytes& key, std::span<const uint8_t> salt) {
  auto out = SecretBytes::Allocate(32);
  if (!out) return out;
  ENVELOPE_RETURN_IF_ERROR(crypto::HkdfSha512(salt, key.span(), AsBytes(kWrapLabel), out->span()));
  return out;
}

}  // namespace

Result<void> CustomerKeyKeyring::OnEncrypt(EncryptionMaterials& materials) const {
  ENVELOPE_ASSIGN_OR_RETURN(auto data_key, DataKeyToWrap::For(materials, "sse-c"));
  auto aad = message::SerializeContext(materials.context);
  ENVELOPE_RETURN_IF_ERROR(aad);
  EncryptedDataKey edk;
  edk.provider_id = std::string(kCustomerKeyProviderId);
  edk.provider_info.resize(kInfoSize);
  auto info = std::span(edk.provider_info);
  info[0] = kVersion;
  const auto salt = info.subspan(1, kSaltSize);
  const auto fingerprint = info.subspan(1 + kSaltSize, kFingerprintSize);
  const auto iv = info.subspan(1 + kSaltSize + kFingerprintSize, kIvSize);
  if (auto r = crypto::RandomBytes(salt); !r) return r;
  if (auto r = crypto::RandomBytes(iv); !r) return r;
  if (auto r = Fingerprint(key_, salt, fingerprint); !r) return r;
  auto wrap_key = WrapKey(key_, salt);
  ENVELOPE_RETURN_IF_ERROR(wrap_key);
  edk.ciphertext.resize(data_key.key().size() + crypto::kGcmTagSize);
  if (auto r =
          crypto::AesGcmSeal(wrap_key->span(), iv, *aad, data_key.key().span(), edk.ciphertext);
      !r) {
    return r;
  }
  std::move(data_key).Commit(materials, std::move(edk));
  return {};
}

Result<void> CustomerKeyKeyring::OnDecrypt(DecryptionMaterials& materials,
                                           std::span<const EncryptedDataKey> edks) const {
  if (!materials.data_key.empty()) return {};
  auto key_size = SuiteKeySize(materials.suite);
  ENVELOPE_RETURN_IF_ERROR(key_size);
  auto aad = message::SerializeContext(materials.context);
  ENVELOPE_RETURN_IF_ERROR(aad);
  bool addressed = false, matched = false;
  for (const EncryptedDataKey& edk : edks) {
    if (edk.provider_id != kCustomerKeyProviderId || edk.provider_info.size() != kInfoSize ||
        edk.provider_info[0] != kVersion || edk.ciphertext.size() != *key_size + 16) {
      continue;
    }
    addressed = true;
    const auto info = std::span<const uint8_t>(edk.provider_info);
    const auto salt = info.subspan(1, kSaltSize);
    const auto stored = info.subspan(1 + kSaltSize, kFingerprintSize);
    const auto iv = info.subspan(1 + kSaltSize + kFingerprintSize, kIvSize);
    uint8_t computed[kFingerprintSize];
    if (auto r = Fingerprint(key_, salt, computed); !r) return r;
    const bool same = ConstantTimeEqual(computed, stored);
    SecureZero(computed);
    if (!same) continue;
    matched = true;
    auto wrap_key = WrapKey(key_, salt);
    ENVELOPE_RETURN_IF_ERROR(wrap_key);
    auto data_key = SecretBytes::Allocate(*key_size);
    ENVELOPE_RETURN_IF_ERROR(data_key);
    if (crypto::AesGcmOpen(wrap_key->span(), iv, *aad, edk.ciphertext, data_key->span())) {
      materials.data_key = std::move(*data_key);
      return {};
    }
  }
  if (matched) return message::AuthFailed();
  if (addressed) return MakeError(ErrorCode::auth_failed, kCustomerKeyMismatchMessage);
  return MakeError(ErrorCode::not_found,
                   "sse-c: the message has no data key encrypted with a customer key");
}

}  // namespace envelope::keyring

namespace envelope {

Result<std::string> CustomerKeyMd5(KeyView customer_key_view) {
  const std::span<const uint8_t> customer_key = customer_key_view.bytes();
  if (customer_key.size() != kCustomerKeySize) {
    return MakeError(ErrorCode::invalid_argument, "sse-c: a customer key is 32 bytes");
  }
  uint8_t md5[crypto::kMd5Size];
  ENVELOPE_RETURN_IF_ERROR(crypto::Md5ForTransportCheck(customer_key, md5));
  return message::Base64Encode(md5);
}

Result<std::shared_ptr<const Keyring>> NewCustomerKeyKeyring(KeyView customer_key_view,
                                                             const CustomerKeyOptions& options) {
  const std::span<const uint8_t> customer_key = customer_key_view.bytes();
  if (customer_key.size() != kCustomerKeySize) {
    return MakeError(ErrorCode::invalid_argument,
                     "sse-c: the customer key must be 32 bytes (256 bits), got " +
                         std::to_string(customer_key.size()));
  }
  if (!options.key_md5.empty()) {
    auto md5 = CustomerKeyMd5(customer_key_view);
    ENVELOPE_RETURN_IF_ERROR(md5);
    if (!ConstantTimeEqual(keyring::AsBytes(*md5), keyring::AsBytes(options.key_md5))) {
      return MakeError(ErrorCode::invalid_argument,
                       "sse-c: the customer key md5 does not match the key; hint: the key was "
                       "damaged or swapped on its way here");
    }
  }
  auto key = SecretBytes::CopyFrom(customer_key);
  ENVELOPE_RETURN_IF_ERROR(key);
  return std::make_shared<const keyring::CustomerKeyKeyring>(std::move(*key));
}

Result<SecretBytes> ParseCustomerKey(std::span<const uint8_t> text) {
  if (text.size() == kCustomerKeySize) return SecretBytes::CopyFrom(text);
  std::string_view s(reinterpret_cast<const char*>(text.data()), text.size());
  if (s.ends_with("\r\n")) {
    s.remove_suffix(2);
  } else if (s.ends_with('\n')) {
    s.remove_suffix(1);
  }
  // The base64 of 32 bytes is 44 characters; anything else is refused
  // before decoding, so no key bytes reach an error or a temporary.
  if (s.size() == 44) {
    auto decoded = message::Base64Decode(s);
    if (decoded && decoded->size() == kCustomerKeySize) {
      auto key = SecretBytes::CopyFrom(*decoded);
      SecureZero(*decoded);
      return key;
    }
    if (decoded) SecureZero(*decoded);
  }
  return MakeError(ErrorCode::invalid_argument,
                   "sse-c: a customer key is 32 raw bytes or their standard base64 (44 "
                   "characters); got " +
                       std::to_string(text.size()) + " bytes of something else");
}

}  // namespace envelope
