// lib/crypto: ECDSA on P-384 with SHA-384, the signature of ESDK suite 0x0578,
// and verification on P-256 with SHA-256 for the legacy suite 0x0214.
//
// The ESDK signs the SHA-384 digest of the whole message (header and body),
// which the message layer computes incrementally with `Hasher`; so the core
// operations here take a 48-byte digest, not the message.
//
// Wire forms:
//
//   public key (ESDK context value, before base64), SEC1 compressed, 49 bytes:
//     +------+---------------------+
//     | 0x02 | x (48 bytes, BE)    |   0x02 when y is even, 0x03 when odd
//     +------+---------------------+
//
//   signature (ESDK footer), DER ECDSA-Sig-Value, 8 to 104 bytes:
//     SEQUENCE { r INTEGER, s INTEGER }   (minimal lengths, minimal integers)
//
// Verification accepts only canonical DER: BER variants (long-form lengths
// where short would do, padded integers, trailing bytes, ...) are rejected so
// a signature has exactly one accepted encoding.
#ifndef ENVELOPE_LIB_CRYPTO_ECDSA_H_
#define ENVELOPE_LIB_CRYPTO_ECDSA_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "crypto/ossl_fwd.h"
#include "envelope/error.hpp"

namespace envelope::crypto {

// kP384DigestSize is the size of the SHA-384 digest that is signed.
inline constexpr size_t kP384DigestSize = 48;
// kP384CompressedPointSize is the size of a SEC1 compressed P-384 point.
inline constexpr size_t kP384CompressedPointSize = 49;
// kP384UncompressedPointSize is the size of a SEC1 uncompressed P-384 point.
inline constexpr size_t kP384UncompressedPointSize = 97;
// kP384MaxSignatureSize bounds a DER signature: 2 integers of at most 49
// bytes with 2-byte headers, in a sequence with a 2-byte header.
inline constexpr size_t kP384MaxSignatureSize = 104;

class EcdsaP384PublicKey;

// EcdsaP384PrivateKey is a P-384 signing key. It is move-only and owns its
// OpenSSL key (freed, and so cleansed, on destruction). The ESDK makes a
// fresh one per signed message and never stores it.
class EcdsaP384PrivateKey {
 public:
  // Generate returns a fresh random key. Fails with `internal` only when
  // OpenSSL cannot generate one.
  [[nodiscard]] static Result<EcdsaP384PrivateKey> Generate();

  EcdsaP384PrivateKey(EcdsaP384PrivateKey&& other) noexcept = default;
  EcdsaP384PrivateKey& operator=(EcdsaP384PrivateKey&& other) noexcept = default;
  EcdsaP384PrivateKey(const EcdsaP384PrivateKey&) = delete;
  EcdsaP384PrivateKey& operator=(const EcdsaP384PrivateKey&) = delete;
  ~EcdsaP384PrivateKey() = default;

  // SignDigest signs a 48-byte SHA-384 digest and returns the DER
  // ECDSA-Sig-Value (at most kP384MaxSignatureSize bytes). Fails with
  // `invalid_argument` for a digest that is not 48 bytes.
  [[nodiscard]] Result<std::vector<uint8_t>> SignDigest(std::span<const uint8_t> digest48) const;

  // Sign hashes `message` with SHA-384 and signs the digest.
  [[nodiscard]] Result<std::vector<uint8_t>> Sign(std::span<const uint8_t> message) const;

  // PublicKeyCompressed returns the SEC1 compressed public point (49 bytes,
  // prefix 0x02 or 0x03), the form the ESDK puts in the encryption context.
  [[nodiscard]] Result<std::vector<uint8_t>> PublicKeyCompressed() const;

  // PublicKey returns the verification key that matches this key.
  [[nodiscard]] Result<EcdsaP384PublicKey> PublicKey() const;

 private:
  explicit EcdsaP384PrivateKey(UniquePtr<evp_pkey_st> pkey) noexcept : pkey_(std::move(pkey)) {}
  UniquePtr<evp_pkey_st> pkey_;
};

// EcdsaP384PublicKey is a P-384 verification key, validated on creation (the
// point lies on the curve and is not the point at infinity). Move-only.
class EcdsaP384PublicKey {
 public:
  // FromCompressed parses a 49-byte SEC1 compressed point. Fails with
  // `invalid_argument` for another length, prefix, or a point not on P-384.
  [[nodiscard]] static Result<EcdsaP384PublicKey> FromCompressed(std::span<const uint8_t> point);

  // FromEncodedPoint parses a SEC1 point, compressed (49 bytes) or
  // uncompressed (97 bytes, prefix 0x04). Fails with `invalid_argument`
  // otherwise (hybrid 0x06/0x07 encodings are not accepted).
  [[nodiscard]] static Result<EcdsaP384PublicKey> FromEncodedPoint(std::span<const uint8_t> point);

  // FromDer parses a DER SubjectPublicKeyInfo holding a P-384 key. Fails
  // with `invalid_argument` for malformed input, trailing bytes, another key
  // type or another curve.
  [[nodiscard]] static Result<EcdsaP384PublicKey> FromDer(std::span<const uint8_t> der);

  EcdsaP384PublicKey(EcdsaP384PublicKey&& other) noexcept = default;
  EcdsaP384PublicKey& operator=(EcdsaP384PublicKey&& other) noexcept = default;
  EcdsaP384PublicKey(const EcdsaP384PublicKey&) = delete;
  EcdsaP384PublicKey& operator=(const EcdsaP384PublicKey&) = delete;
  ~EcdsaP384PublicKey() = default;

  // VerifyDigest checks a DER signature over a 48-byte SHA-384 digest.
  // Fails with `auth_failed` and the fixed message "ecdsa: signature did not
  // verify" for a wrong or non-canonical signature; `invalid_argument` for a
  // digest that is not 48 bytes.
  [[nodiscard]] Result<void> VerifyDigest(std::span<const uint8_t> digest48,
                                          std::span<const uint8_t> der_sig) const;

  // Verify hashes `message` with SHA-384 and checks `der_sig` over it, with
  // the failures of VerifyDigest.
  [[nodiscard]] Result<void> Verify(std::span<const uint8_t> message,
                                    std::span<const uint8_t> der_sig) const;

  // Compressed returns the SEC1 compressed form (49 bytes).
  [[nodiscard]] Result<std::vector<uint8_t>> Compressed() const;

 private:
  friend class EcdsaP384PrivateKey;
  explicit EcdsaP384PublicKey(UniquePtr<evp_pkey_st> pkey) noexcept : pkey_(std::move(pkey)) {}
  UniquePtr<evp_pkey_st> pkey_;
};

// ---- ECDSA P-256 (decrypt-only legacy) ---------------------------------------
//
// The ESDK v1 algorithm suite 0x0214 signs messages with ECDSA P-256 over
// SHA-256. We never write that suite, so only verification exists.

inline constexpr size_t kP256CompressedSize = 33;
inline constexpr size_t kSha256DigestSize = 32;

// EcdsaP256PublicKey is a P-256 verification key. Move-only.
class EcdsaP256PublicKey {
 public:
  // FromCompressed parses a SEC1 compressed point (33 bytes, 0x02 or 0x03
  // prefix). Fails with `invalid_argument` for any other length or a point
  // that is not on the curve.
  [[nodiscard]] static Result<EcdsaP256PublicKey> FromCompressed(std::span<const uint8_t> point);

  EcdsaP256PublicKey(EcdsaP256PublicKey&&) noexcept = default;
  EcdsaP256PublicKey& operator=(EcdsaP256PublicKey&&) noexcept = default;
  EcdsaP256PublicKey(const EcdsaP256PublicKey&) = delete;
  EcdsaP256PublicKey& operator=(const EcdsaP256PublicKey&) = delete;
  ~EcdsaP256PublicKey() = default;

  // VerifyDigest checks the DER ECDSA-Sig-Value `der` over the 32-byte
  // SHA-256 `digest`. Any mismatch, including a malformed or non-canonical
  // DER encoding, is `auth_failed`; a digest of the wrong size is
  // `invalid_argument`.
  [[nodiscard]] Result<void> VerifyDigest(std::span<const uint8_t> digest,
                                          std::span<const uint8_t> der) const;

 private:
  explicit EcdsaP256PublicKey(UniquePtr<evp_pkey_st> key) noexcept : key_(std::move(key)) {}
  UniquePtr<evp_pkey_st> key_;
};

}  // namespace envelope::crypto

#endif  // ENVELOPE_LIB_CRYPTO_ECDSA_H_
