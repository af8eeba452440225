#include "aws/aws_kms_keyring.h"

#include "aws/arn.h"
#include "aws/aws_kms_mrk.h"
#include "keyring/keyring_util.h"

namespace envelope::aws {
namespace {

std::string_view InfoText(const EncryptedDataKey& edk) {
  return {reinterpret_cast<const char*>(edk.provider_info.data()), edk.provider_info.size()};
}

// KeyArnOf parses provider info (or an answer's KeyId) as a key ARN.
std::optional<KmsArn> KeyArnOf(std::string_view text) {
  auto arn = ParseKmsArn(text);
  if (!arn || arn->type != KmsArn::Type::key) return std::nullopt;
  return *arn;
}

tl::unexpected<Error> BadAnswer(std::string_view key, std::string_view what) {
  return MakeError(ErrorCode::malformed, "aws-kms keyring: AWS KMS answered for " +
                                             std::string(key) + " with " + std::string(what));
}

// Wrap makes one EDK under `key`: GenerateDataKey when `data_key` is empty
// (filling it), else Encrypt.
Result<EncryptedDataKey> Wrap(const AwsKmsKey& key, const EncryptionContext& context,
                              size_t key_size, std::span<const std::string> tokens,
                              SecretBytes& data_key) {
  EncryptedDataKey edk;
  edk.provider_id = std::string(kAwsKmsProviderId);
  std::string answered;
  if (data_key.empty()) {
    auto dk = key.client->GenerateDataKeyWith(key.id, context, key_size, tokens);
    if (!dk) return tl::unexpected(dk.error().WithContext("aws-kms keyring: " + key.id));
    if (dk->plaintext.size() != key_size) {
      return BadAnswer(key.id, "a data key of another size than the suite's");
    }
    data_key = std::move(dk->plaintext);
    edk.ciphertext = std::move(dk->blob);
    answered = std::move(dk->key_id);
  } else {
    auto wrapped = key.client->EncryptWith(key.id, data_key.span(), context, tokens);
    if (!wrapped) return tl::unexpected(wrapped.error().WithContext("aws-kms keyring: " + key.id));
    edk.ciphertext = std::move(wrapped->blob);
    answered = std::move(wrapped->key_id);
  }
  if (!KeyArnOf(answered)) return BadAnswer(key.id, "a KeyId that is not a key ARN");
  if (edk.ciphertext.size() > 0xffff) return BadAnswer(key.id, "an oversized ciphertext blob");
  edk.provider_info.assign(answered.begin(), answered.end());
  return edk;
}

// Open asks `client` to decrypt `edk` with `key_id`; the answer must name
// that key and hold a data key of the suite's size.
Result<SecretBytes> Open(AwsKmsClient& client, const EncryptedDataKey& edk,
                         const EncryptionContext& context, const std::string& key_id,
                         size_t key_size, std::span<const std::string> tokens) {
  auto opened = client.DecryptWith(edk.ciphertext, context, key_id, tokens);
  ENVELOPE_RETURN_IF_ERROR(opened);
  if (opened->key_id != key_id) {
    return MakeError(ErrorCode::auth_failed,
                     "AWS KMS answered with another key (" + opened->key_id + ")");
  }
  if (opened->plaintext.size() != key_size) {
    return MakeError(ErrorCode::auth_failed, "AWS KMS answered with a data key of another size");
  }
  return std::move(opened->plaintext);
}

}  // namespace

void DecryptAttempts::Add(std::string_view key, const Error& error) {
  lines_.push_back(std::string(key) + ": " + error.message());
  if (!code_ && error.code() != ErrorCode::auth_failed) code_ = error.code();
}

tl::unexpected<Error> DecryptAttempts::Fail(std::string_view who,
                                            std::string_view nothing_tried) const {
  if (lines_.empty()) {
    return MakeError(ErrorCode::not_found, std::string(who) + ": " + std::string(nothing_tried));
  }
  std::string message = std::string(who) + ": no encrypted data key opened; " +
                        std::to_string(lines_.size()) + " attempt" +
                        (lines_.size() == 1 ? "" : "s") + ":";
  for (size_t i = 0; i < lines_.size(); ++i) {
    message += (i == 0 ? " " : "; ") + lines_[i];
  }
  return MakeError(code_.value_or(ErrorCode::auth_failed), std::move(message));
}

Result<void> AwsKmsKeyring::OnEncrypt(EncryptionMaterials& materials) const {
  auto key_size = keyring::SuiteKeySize(materials.suite);
  ENVELOPE_RETURN_IF_ERROR(key_size);
  if (materials.data_key.empty() && !generator_) {
    return MakeError(ErrorCode::invalid_argument,
                     "aws-kms keyring: no generator key to make the data key; name one, or put "
                     "this keyring after one that makes it");
  }
  // Nothing reaches the materials until every key has wrapped the data key.
  SecretBytes data_key;
  if (!materials.data_key.empty()) {
    auto copy = materials.data_key.Clone();
    ENVELOPE_RETURN_IF_ERROR(copy);
    data_key = std::move(*copy);
  }
  std::vector<EncryptedDataKey> edks;
  if (generator_) {
    auto edk = Wrap(*generator_, materials.context, *key_size, grant_tokens_, data_key);
    ENVELOPE_RETURN_IF_ERROR(edk);
    edks.push_back(std::move(*edk));
  }
  for (const AwsKmsKey& child : children_) {
    auto edk = Wrap(child, materials.context, *key_size, grant_tokens_, data_key);
    ENVELOPE_RETURN_IF_ERROR(edk);
    edks.push_back(std::move(*edk));
  }
  if (materials.data_key.empty()) materials.data_key = std::move(data_key);
  for (auto& edk : edks) materials.encrypted_data_keys.push_back(std::move(edk));
  return {};
}

Result<void> AwsKmsKeyring::OnDecrypt(DecryptionMaterials& materials,
                                      std::span<const EncryptedDataKey> edks) const {
  if (!materials.data_key.empty()) return {};
  auto key_size = keyring::SuiteKeySize(materials.suite);
  ENVELOPE_RETURN_IF_ERROR(key_size);
  std::vector<const AwsKmsKey*> keys;
  if (generator_) keys.push_back(&*generator_);
  for (const AwsKmsKey& child : children_) keys.push_back(&child);
  DecryptAttempts attempts;
  for (const EncryptedDataKey& edk : edks) {
    if (edk.provider_id != kAwsKmsProviderId) continue;
    const std::string_view info = InfoText(edk);
    if (!KeyArnOf(info)) continue;
    for (const AwsKmsKey* key : keys) {
      const bool match = mrk_aware_ ? MrkMatchForDecrypt(key->id, info) : key->id == info;
      if (!match) continue;
      auto opened = Open(*key->client, edk, materials.context, key->id, *key_size, grant_tokens_);
      if (!opened) {
        attempts.Add(key->id, opened.error());
        continue;
      }
      materials.data_key = std::move(*opened);
      return {};
    }
  }
  std::string names;
  for (const AwsKmsKey* key : keys) names += (names.empty() ? "" : ", ") + key->id;
  return attempts.Fail("aws-kms keyring", "no encrypted data key of the message is under " + names);
}

Result<void> AwsKmsDiscoveryKeyring::OnEncrypt(EncryptionMaterials&) const {
  return MakeError(ErrorCode::invalid_argument,
                   "aws-kms discovery keyring: a discovery keyring only decrypts; name a key "
                   "to encrypt");
}

Result<void> AwsKmsDiscoveryKeyring::OnDecrypt(DecryptionMaterials& materials,
                                               std::span<const EncryptedDataKey> edks) const {
  if (!materials.data_key.empty()) return {};
  auto key_size = keyring::SuiteKeySize(materials.suite);
  ENVELOPE_RETURN_IF_ERROR(key_size);
  DecryptAttempts attempts;
  for (const EncryptedDataKey& edk : edks) {
    if (edk.provider_id != kAwsKmsProviderId) continue;
    auto arn = KeyArnOf(InfoText(edk));
    if (!arn) continue;
    if (const auto& filter = config_.filter) {
      if (arn->partition != filter->partition) continue;
      if (std::find(filter->accounts.begin(), filter->accounts.end(), arn->account) ==
          filter->accounts.end()) {
        continue;
      }
    }
    if (!config_.mrk_region.empty()) {
      // Only this region is called: a multi-Region key through its replica
      // here, any other key only if it lives here.
      if (arn->name.starts_with("mrk-")) {
        arn->region = config_.mrk_region;
      } else if (arn->region != config_.mrk_region) {
        continue;
      }
    }
    const std::string key_id = arn->ToString();
    auto client = supplier_(arn->region);
    if (!client) {
      attempts.Add(key_id, client.error());
      continue;
    }
    auto opened = Open(**client, edk, materials.context, key_id, *key_size, config_.grant_tokens);
    if (!opened) {
      attempts.Add(key_id, opened.error());
      continue;
    }
    materials.data_key = std::move(*opened);
    return {};
  }
  return attempts.Fail("aws-kms discovery keyring",
                       config_.filter ? "no aws-kms encrypted data key of the message passes the "
                                        "discovery filter"
                                      : "the message has no aws-kms encrypted data key");
}

}  // namespace envelope::aws
