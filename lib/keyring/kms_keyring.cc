#include "keyring/kms_keyring.h"

#include <algorithm>
#include <cctype>
#include <optional>

#include "keyring/keyring_util.h"
#include "message/decryptor.h"

namespace envelope::keyring {
namespace {

constexpr size_t kKeyIdSize = 36;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view InfoText(const EncryptedDataKey& edk) {
  return {reinterpret_cast<const char*>(edk.provider_info.data()), edk.provider_info.size()};
}

// IsWrongKey reports the KMS's answer to a Decrypt whose blob was made by
// another key than the one expected: the EDK is not addressed to us.
bool IsWrongKey(const Error& error) {
  return error.code() == ErrorCode::invalid_argument &&
         error.message().starts_with("IncorrectKeyException");
}

}  // namespace

bool IsKeyId(std::string_view text) {
  if (text.size() == kKeyIdSize && text.starts_with("mrk-")) {
    return std::all_of(text.begin() + 4, text.end(),
                       [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
  }
  if (text.size() != kKeyIdSize) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash != (text[i] == '-')) return false;
    if (!dash && !std::isxdigit(static_cast<unsigned char>(text[i]))) return false;
  }
  return true;
}

Result<void> KmsKeyring::OnEncrypt(EncryptionMaterials& materials) const {
  if (key_.empty()) {
    return MakeError(ErrorCode::invalid_argument,
                     "kms keyring: a discovery keyring only decrypts; name a key to encrypt");
  }
  auto key_size = SuiteKeySize(materials.suite);
  ENVELOPE_RETURN_IF_ERROR(key_size);
  EncryptedDataKey edk;
  edk.provider_id = std::string(kKmsProviderId);
  std::string key_id;
  SecretBytes generated;
  if (materials.data_key.empty()) {
    auto dk = client_->GenerateDataKey(key_, materials.context);
    if (!dk) return tl::unexpected(dk.error().WithContext("kms keyring"));
    if (dk->plaintext.size() != *key_size) {
      return MakeError(ErrorCode::unsupported,
                       "kms keyring: the kms made a data key of another size than the suite's");
    }
    generated = std::move(dk->plaintext);
    edk.ciphertext = std::move(dk->blob);
    key_id = std::move(dk->key_id);
  } else {
    auto wrapped = client_->Encrypt(key_, materials.data_key.span(), materials.context);
    if (!wrapped) return tl::unexpected(wrapped.error().WithContext("kms keyring"));
    edk.ciphertext = std::move(wrapped->blob);
    key_id = std::move(wrapped->key_id);
  }
  if (!IsKeyId(key_id) || edk.ciphertext.empty() || edk.ciphertext.size() > 0xffff) {
    return MakeError(ErrorCode::internal,
                     "kms keyring: the kms answered with a malformed key id "
                     "or ciphertext blob");
  }
  key_id = Lower(key_id);
  edk.provider_info.assign(key_id.begin(), key_id.end());
  if (!generated.empty()) materials.data_key = std::move(generated);
  materials.encrypted_data_keys.push_back(std::move(edk));
  return {};
}

bool KmsKeyring::Addressed(const EncryptedDataKey& edk) const {
  if (edk.provider_id != kKmsProviderId || !IsKeyId(InfoText(edk))) return false;
  // A configured key id is compared here; an alias can only be resolved by
  // the KMS, which the Decrypt call below asks to check.
  return key_.empty() || !IsKeyId(key_) || Lower(key_) == InfoText(edk);
}

Result<void> KmsKeyring::OnDecrypt(DecryptionMaterials& materials,
                                   std::span<const EncryptedDataKey> edks) const {
  if (!materials.data_key.empty()) return {};
  auto key_size = SuiteKeySize(materials.suite);
  ENVELOPE_RETURN_IF_ERROR(key_size);
  bool auth_failure = false;
  std::optional<Error> kms_error;
  for (const EncryptedDataKey& edk : edks) {
    if (!Addressed(edk)) continue;
    const std::string_view recorded = InfoText(edk);
    auto opened = client_->Decrypt(edk.ciphertext, materials.context,
                                   key_.empty() ? recorded : std::string_view(key_));
    if (!opened) {
      if (IsWrongKey(opened.error())) continue;  // made by another key than ours
      if (opened.error().code() == ErrorCode::auth_failed) {
        auth_failure = true;
      } else if (!kms_error) {
        // Disabled, pending deletion, deleted, unreachable: say so rather
        // than "authentication failed", so the user knows what to fix.
        kms_error = opened.error().WithContext("kms keyring");
      }
      continue;
    }
    // The blob names its key; it must be the key the EDK claims, or the
    // EDK was spliced from elsewhere.
    if (Lower(opened->key_id) != recorded || opened->plaintext.size() != *key_size) {
      auth_failure = true;
      continue;
    }
    materials.data_key = std::move(opened->plaintext);
    return {};
  }
  if (kms_error) return tl::unexpected(*kms_error);
  if (auth_failure) return message::AuthFailed();
  return MakeError(
      ErrorCode::not_found,
      key_.empty()
          ? std::string("kms keyring: the message has no encrypted data key from the "
                        "kms")
          : "kms keyring: no encrypted data key of the message is under key '" + key_ + "'");
}

}  // namespace envelope::keyring

namespace envelope {

Result<std::shared_ptr<const Keyring>> NewKmsKeyring(std::shared_ptr<KmsClient> client,
                                                     std::string_view key) {
  if (!client) return MakeError(ErrorCode::invalid_argument, "kms keyring: the client is null");
  if (key.empty()) {
    return MakeError(ErrorCode::invalid_argument,
                     "kms keyring: name a key (a key id or alias/...); for decrypt-only use "
                     "without a key, use NewKmsDiscoveryKeyring");
  }
  return std::make_shared<const keyring::KmsKeyring>(std::move(client), std::string(key));
}

Result<std::shared_ptr<const Keyring>> NewKmsDiscoveryKeyring(std::shared_ptr<KmsClient> client) {
  if (!client) return MakeError(ErrorCode::invalid_argument, "kms keyring: the client is null");
  return std::make_shared<const keyring::KmsKeyring>(std::move(client), std::string());
}

}  // namespace envelope
