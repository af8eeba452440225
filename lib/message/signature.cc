#include "message/signature.h"

#include <optional>
#include <variant>

#include "crypto/ecdsa.h"
#include "envelope/message.hpp"
#include "message/wire.h"

namespace envelope::message {
namespace {

// EcdsaP384SigningKey is the SigningKey of NewSigningKey.
class EcdsaP384SigningKey final : public SigningKey {
 public:
  EcdsaP384SigningKey(crypto::EcdsaP384PrivateKey key, std::vector<uint8_t> public_key)
      : key_(std::move(key)), public_key_(std::move(public_key)) {}
  Result<std::vector<uint8_t>> SignDigest(std::span<const uint8_t> digest) const override {
    return key_.SignDigest(digest);
  }
  std::vector<uint8_t> PublicKey() const override { return public_key_; }

 private:
  crypto::EcdsaP384PrivateKey key_;
  std::vector<uint8_t> public_key_;
};

// MessageKey: a message's aws-crypto-public-key that is no point of the
// suite's curve is malformed input (the crypto layer calls it an invalid
// argument, which for Decrypt would blame the caller).
template <typename T>
Result<T> MessageKey(Result<T> key) {
  if (!key && key.error().code() == ErrorCode::invalid_argument) {
    return MakeError(ErrorCode::malformed,
                     "verifier: aws-crypto-public-key is not a public key of the suite's curve (" +
                         key.error().message() + ")");
  }
  return key;
}

}  // namespace

struct MessageVerifier::Key {
  std::variant<crypto::EcdsaP256PublicKey, crypto::EcdsaP384PublicKey> key;
};

MessageVerifier::MessageVerifier(crypto::Hasher hasher, std::unique_ptr<Key> key)
    : hasher_(std::move(hasher)), key_(std::move(key)) {}
MessageVerifier::MessageVerifier(MessageVerifier&&) noexcept = default;
MessageVerifier& MessageVerifier::operator=(MessageVerifier&&) noexcept = default;
MessageVerifier::~MessageVerifier() = default;

Result<MessageSigner> MessageSigner::New(std::shared_ptr<const SigningKey> key) {
  if (!key) return MakeError(ErrorCode::invalid_argument, "signer: no signing key");
  auto hasher = crypto::Hasher::New(crypto::HashAlg::sha384);
  ENVELOPE_RETURN_IF_ERROR(hasher);
  return MessageSigner(std::move(*hasher), std::move(key));
}

Result<std::vector<uint8_t>> MessageSigner::Footer() {
  uint8_t digest[48];
  ENVELOPE_RETURN_IF_ERROR(hasher_.Final(digest));
  auto signature = key_->SignDigest(digest);
  ENVELOPE_RETURN_IF_ERROR(signature);
  if (signature->empty() || signature->size() > kMaxSignatureSize) {
    return MakeError(ErrorCode::internal, "signer: signature has an impossible size");
  }
  std::vector<uint8_t> footer;
  AppendUint(footer, signature->size(), 2);
  AppendBytes(footer, *signature);
  return footer;
}

Result<MessageVerifier> MessageVerifier::New(const SuiteInfo& suite,
                                             std::span<const uint8_t> public_key) {
  if (suite.signature == SignatureAlg::ecdsa_p256_sha256) {
    auto key = MessageKey(crypto::EcdsaP256PublicKey::FromCompressed(public_key));
    ENVELOPE_RETURN_IF_ERROR(key);
    auto hasher = crypto::Hasher::New(crypto::HashAlg::sha256);
    ENVELOPE_RETURN_IF_ERROR(hasher);
    return MessageVerifier(std::move(*hasher), std::make_unique<Key>(Key{std::move(*key)}));
  }
  if (suite.signature == SignatureAlg::ecdsa_p384_sha384) {
    auto key = MessageKey(crypto::EcdsaP384PublicKey::FromCompressed(public_key));
    ENVELOPE_RETURN_IF_ERROR(key);
    auto hasher = crypto::Hasher::New(crypto::HashAlg::sha384);
    ENVELOPE_RETURN_IF_ERROR(hasher);
    return MessageVerifier(std::move(*hasher), std::make_unique<Key>(Key{std::move(*key)}));
  }
  return MakeError(ErrorCode::invalid_argument, "verifier: the suite is not signed");
}

Result<void> MessageVerifier::Verify(std::span<const uint8_t> signature) {
  uint8_t digest[48];
  const size_t size = crypto::DigestSize(hasher_.alg());
  if (auto r = hasher_.Final(std::span(digest, size)); !r) return r;
  return std::visit(
      [&](const auto& key) { return key.VerifyDigest(std::span(digest, size), signature); },
      key_->key);
}

}  // namespace envelope::message

namespace envelope {

Result<std::shared_ptr<const SigningKey>> NewSigningKey() {
  auto key = crypto::EcdsaP384PrivateKey::Generate();
  ENVELOPE_RETURN_IF_ERROR(key);
  auto public_key = key->PublicKeyCompressed();
  ENVELOPE_RETURN_IF_ERROR(public_key);
  return std::shared_ptr<const SigningKey>(
      std::make_shared<message::EcdsaP384SigningKey>(std::move(*key), std::move(*public_key)));
}

}  // namespace envelope
