// The local Kms behind the KmsClient interface of the keyring layer, and the
// SSE-S3 keyring factory (include/envelope/kms.hpp).
#include "envelope/kms.hpp"

namespace envelope::kms {
namespace {

// LocalKmsClient forwards each call to one Kms operation; the Kms
// serialises calls, so this is safe to share between threads.
class LocalKmsClient final : public KmsClient {
 public:
  explicit LocalKmsClient(std::shared_ptr<Kms> kms) : kms_(std::move(kms)) {}

  Result<KmsDataKey> GenerateDataKey(std::string_view key,
                                     const EncryptionContext& context) override {
    auto dk = kms_->GenerateDataKey(key, context);
    ENVELOPE_RETURN_IF_ERROR(dk);
    return KmsDataKey{std::move(dk->plaintext), std::move(dk->ciphertext.blob),
                      std::move(dk->ciphertext.key_id)};
  }

  Result<KmsWrapped> Encrypt(std::string_view key, std::span<const uint8_t> plaintext,
                             const EncryptionContext& context) override {
    auto ct = kms_->Encrypt(key, plaintext, context);
    ENVELOPE_RETURN_IF_ERROR(ct);
    return KmsWrapped{std::move(ct->blob), std::move(ct->key_id)};
  }

  Result<KmsUnwrapped> Decrypt(std::span<const uint8_t> blob, const EncryptionContext& context,
                               std::string_view expected_key) override {
    auto pt = kms_->Decrypt(blob, context, expected_key);
    ENVELOPE_RETURN_IF_ERROR(pt);
    return KmsUnwrapped{std::move(pt->plaintext), std::move(pt->key_id)};
  }

  Result<KmsWrapped> ReEncrypt(std::span<const uint8_t> blob,
                               const EncryptionContext& source_context,
                               std::string_view destination_key,
                               const EncryptionContext& destination_context) override {
    auto re = kms_->ReEncrypt(blob, source_context, destination_key, destination_context);
    ENVELOPE_RETURN_IF_ERROR(re);
    return KmsWrapped{std::move(re->ciphertext.blob), std::move(re->ciphertext.key_id)};
  }

 private:
  std::shared_ptr<Kms> kms_;
};

}  // namespace

std::shared_ptr<KmsClient> NewKmsClient(std::shared_ptr<Kms> kms) {
  if (!kms) return nullptr;
  return std::make_shared<LocalKmsClient>(std::move(kms));
}

Result<std::shared_ptr<const Keyring>> NewSseS3Keyring(std::shared_ptr<Kms> kms) {
  if (!kms) return MakeError(ErrorCode::invalid_argument, "sse-s3: the kms is null");
  auto key = kms->DefaultKey();
  if (!key) return tl::unexpected(key.error().WithContext("sse-s3"));
  return NewKmsKeyring(NewKmsClient(std::move(kms)), key->key_id);
}

}  // namespace envelope::kms
