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

// VerificationKey is a public key of either signed curve.
using VerificationKey = std::variant<crypto::EcdsaP256PublicKey, crypto::EcdsaP384PublicKey>;

// ParseMessageKey parses a message's aws-crypto-public-key as a compressed
// point of PublicKey's curve. A key that is no point of the curve is
// malformed input (the crypto layer calls it an invalid argument, which for
// Decrypt would blame the caller).
template <typename PublicKey>
Result<VerificationKey> ParseMessageKey(std::span<const uint8_t> public_key) {
  auto key = PublicKey::FromCompressed(public_key);
  if (!key) {
    if (key.error().code() != ErrorCode::invalid_argument) return tl::unexpected(key.error());
    return MakeError(ErrorCode::malformed,
                     "verifier: aws-crypto-public-key is not a public key of the suite's curve (" +
                         key.error().message() + ")");
  }
  return VerificationKey(std::move(*key));
}

}  // namespace

struct MessageVerifier::Key {
  VerificationKey key;
};

MessageVerifier::MessageVerifier(crypto::Hasher hasher, std::unique_ptr<Key> key)
    : hasher_(std::move(hasher)), key_(std::move(key)) {}
MessageVerifier::MessageVerifier(MessageVerifier&&) noexcept = default;
MessageVerifier& MessageVerifier::operator=(MessageVerifier&&) noexcept = default;
MessageVerifier::~MessageVerifier() = default;

Result<MessageSigner> MessageSigner::New(std::shared_ptr<const SigningKey> key) {
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
  const bool p256 = suite.signature == SignatureAlg::ecdsa_p256_sha256;
  if (!p256 && suite.signature != SignatureAlg::ecdsa_p384_sha384) {
    return MakeError(ErrorCode::invalid_argument, "verifier: the suite is not signed");
  }
  ENVELOPE_ASSIGN_OR_RETURN(auto key,
                            p256 ? ParseMessageKey<crypto::EcdsaP256PublicKey>(public_key)
                                 : ParseMessageKey<crypto::EcdsaP384PublicKey>(public_key));
  ENVELOPE_ASSIGN_OR_RETURN(
      auto hasher, crypto::Hasher::New(p256 ? crypto::HashAlg::sha256 : crypto::HashAlg::sha384));
  return MessageVerifier(std::move(hasher), std::make_unique<Key>(Key{std::move(key)}));
}

Result<void> MessageVerifier::Verify(std::span<const uint8_t> signature) {
  uint8_t digest[48];
  const size_t size = crypto::DigestSize(hasher_.alg());
  ENVELOPE_RETURN_IF_ERROR(hasher_.Final(std::span(digest, size)));
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
