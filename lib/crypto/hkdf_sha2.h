// lib/crypto: HKDF (RFC 5869) over any SHA-2 hash of digest.h.
//
// hkdf.h covers HKDF-SHA-512, the KDF of everything we write. Legacy ESDK v1
// algorithm suites (decrypt only) derive with HKDF-SHA-256 and HKDF-SHA-384:
// this is the one-shot Extract-then-Expand for those.
#ifndef ENVELOPE_LIB_CRYPTO_HKDF_SHA2_H_
#define ENVELOPE_LIB_CRYPTO_HKDF_SHA2_H_

#include <cstdint>
#include <span>

#include "crypto/digest.h"
#include "envelope/error.hpp"

namespace envelope::crypto {

// Hkdf fills `out` (1 to 255 * DigestSize(alg) bytes) with HKDF-Expand(
// HKDF-Extract(salt, ikm), info) using HMAC with `alg`. An empty salt means
// DigestSize(alg) zero bytes (RFC 5869). Fails with `invalid_argument` for an
// empty or too long output, `internal` if OpenSSL fails. The PRK never leaves
// OpenSSL.
[[nodiscard]] Result<void> Hkdf(HashAlg alg, std::span<const uint8_t> salt,
                                std::span<const uint8_t> ikm, std::span<const uint8_t> info,
                                std::span<uint8_t> out);

}  // namespace envelope::crypto

#endif  // ENVELOPE_LIB_CRYPTO_HKDF_SHA2_H_
