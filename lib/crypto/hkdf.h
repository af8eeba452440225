// lib/crypto: HKDF (RFC 5869) through OpenSSL's EVP_KDF.
//
// HKDF-SHA-512 is the KDF of everything we write; its Extract and Expand are
// callable separately: the ESDK derives its keys with both (salt = message
// id), C2SP chunked encryption uses Expand alone. Legacy ESDK v1 algorithm
// suites (decrypt only) derive with HKDF-SHA-256 and HKDF-SHA-384: Hkdf is
// the one-shot Extract-then-Expand over any hash of digest.h for those.
#ifndef ENVELOPE_LIB_CRYPTO_HKDF_H_
#define ENVELOPE_LIB_CRYPTO_HKDF_H_

#include <cstddef>
#include <cstdint>
#include <span>

#include "crypto/digest.h"
#include "envelope/error.hpp"
#include "envelope/secret.hpp"

namespace envelope::crypto {

// kSha512Size is the SHA-512 digest size, and so the size of a PRK.
inline constexpr size_t kSha512Size = 64;
// kHkdfSha512MaxOutput is RFC 5869's limit on L: 255 blocks of 64 bytes.
inline constexpr size_t kHkdfSha512MaxOutput = 255 * kSha512Size;

// HkdfSha512Extract returns PRK = HMAC-SHA-512(salt, ikm) (64 bytes). An
// empty salt means 64 zero bytes, as RFC 5869 says.
[[nodiscard]] Result<SecretBytes> HkdfSha512Extract(std::span<const uint8_t> salt,
                                                    std::span<const uint8_t> ikm);

// HkdfSha512Expand fills `out` (1 to 16320 bytes) with HKDF-Expand(prk,
// info). Fails with `invalid_argument` for an empty or too long output or a
// PRK shorter than 64 bytes.
[[nodiscard]] Result<void> HkdfSha512Expand(std::span<const uint8_t> prk,
                                            std::span<const uint8_t> info, std::span<uint8_t> out);

// HkdfSha512 is Extract then Expand.
[[nodiscard]] Result<void> HkdfSha512(std::span<const uint8_t> salt, std::span<const uint8_t> ikm,
                                      std::span<const uint8_t> info, std::span<uint8_t> out);

// Hkdf fills `out` (1 to 255 * DigestSize(alg) bytes) with HKDF-Expand(
// HKDF-Extract(salt, ikm), info) using HMAC with `alg`. An empty salt means
// DigestSize(alg) zero bytes (RFC 5869). Fails with `invalid_argument` for an
// empty or too long output, `internal` if OpenSSL fails. The PRK never leaves
// OpenSSL.
[[nodiscard]] Result<void> Hkdf(HashAlg alg, std::span<const uint8_t> salt,
                                std::span<const uint8_t> ikm, std::span<const uint8_t> info,
                                std::span<uint8_t> out);

}  // namespace envelope::crypto

#endif  // ENVELOPE_LIB_CRYPTO_HKDF_H_
