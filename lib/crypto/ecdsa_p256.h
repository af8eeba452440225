// lib/crypto: ECDSA P-256 signature verification (decrypt-only legacy).
//
// The ESDK v1 algorithm suite 0x0214 signs messages with ECDSA P-256 over
// SHA-256. We never write that suite, so only verification exists here; the
// P-384 signatures we write live in ecdsa.h.
#ifndef ENVELOPE_LIB_CRYPTO_ECDSA_P256_H_
#define ENVELOPE_LIB_CRYPTO_ECDSA_P256_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "envelope/error.hpp"

struct evp_pkey_st;

namespace envelope::crypto {

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
  ~EcdsaP256PublicKey();

  // VerifyDigest checks the DER ECDSA-Sig-Value `der` over the 32-byte
  // SHA-256 `digest`. Any mismatch, including a malformed or non-canonical
  // DER encoding, is `auth_failed`; a digest of the wrong size is
  // `invalid_argument`.
  [[nodiscard]] Result<void> VerifyDigest(std::span<const uint8_t> digest,
                                          std::span<const uint8_t> der) const;

 private:
  struct Free {
    void operator()(evp_pkey_st* p) const noexcept;
  };
  explicit EcdsaP256PublicKey(evp_pkey_st* key) : key_(key) {}
  std::unique_ptr<evp_pkey_st, Free> key_;
};

}  // namespace envelope::crypto

#endif  // ENVELOPE_LIB_CRYPTO_ECDSA_P256_H_
