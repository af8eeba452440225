// lib/message: the footer signature of signed suites.
//
//   +----------------------+--------------------------------------------+
//   | signature length (2) | DER ECDSA-Sig-Value (signature length)     |
//   +----------------------+--------------------------------------------+
//
// The signature covers the hash of every byte before the footer: the whole
// header (tag included) and every frame. 0x0578 and 0x0346/0x0378 use ECDSA
// P-384 over SHA-384, legacy 0x0214 ECDSA P-256 over SHA-256 (verify only).
// The verification key is the compressed point, base64 in the encryption
// context under aws-crypto-public-key.
#ifndef ENVELOPE_LIB_MESSAGE_SIGNATURE_H_
#define ENVELOPE_LIB_MESSAGE_SIGNATURE_H_

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "crypto/digest.h"
#include "envelope/error.hpp"
#include "envelope/materials.hpp"
#include "message/suite.h"

namespace envelope::message {

// kMaxSignatureSize bounds the footer signature we accept (a DER P-384
// signature is at most 104 bytes).
inline constexpr size_t kMaxSignatureSize = 104;

// MessageSigner hashes the message as it is written and signs at the end.
class MessageSigner {
 public:
  // New starts a SHA-384 hash for `key` (a P-384 key, as NewSigningKey
  // makes). `key` is not null: the encryptor refuses materials of a signed
  // suite without a signing key before it gets here, and rewrapping signs
  // with a key of NewSigningKey.
  [[nodiscard]] static Result<MessageSigner> New(std::shared_ptr<const SigningKey> key);
  // Update hashes `bytes` (header and frames, in order).
  [[nodiscard]] Result<void> Update(std::span<const uint8_t> bytes) {
    return hasher_.Update(bytes);
  }
  // Footer returns the serialized footer: length || signature.
  [[nodiscard]] Result<std::vector<uint8_t>> Footer();

 private:
  MessageSigner(crypto::Hasher hasher, std::shared_ptr<const SigningKey> key)
      : hasher_(std::move(hasher)), key_(std::move(key)) {}
  crypto::Hasher hasher_;
  std::shared_ptr<const SigningKey> key_;
};

// MessageVerifier hashes the message as it is read and checks the footer.
class MessageVerifier {
 public:
  // New parses `public_key` (compressed point) for `suite`'s curve. Fails
  // with `invalid_argument` for a malformed key.
  [[nodiscard]] static Result<MessageVerifier> New(const SuiteInfo& suite,
                                                   std::span<const uint8_t> public_key);
  MessageVerifier(MessageVerifier&&) noexcept;
  MessageVerifier& operator=(MessageVerifier&&) noexcept;
  ~MessageVerifier();
  // Update hashes `bytes`.
  [[nodiscard]] Result<void> Update(std::span<const uint8_t> bytes) {
    return hasher_.Update(bytes);
  }
  // Verify checks `signature` over everything hashed; `auth_failed` if not.
  [[nodiscard]] Result<void> Verify(std::span<const uint8_t> signature);

 private:
  struct Key;
  MessageVerifier(crypto::Hasher hasher, std::unique_ptr<Key> key);
  crypto::Hasher hasher_;
  std::unique_ptr<Key> key_;
};

}  // namespace envelope::message

#endif  // ENVELOPE_LIB_MESSAGE_SIGNATURE_H_
