// lib/crypto: AES key wrap, RFC 3394 (KW) and RFC 5649 (KWP, with padding).
#ifndef ENVELOPE_LIB_CRYPTO_KEY_WRAP_H_
#define ENVELOPE_LIB_CRYPTO_KEY_WRAP_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "envelope/error.hpp"
#include "envelope/secret.hpp"

namespace envelope::crypto {

// AesKeyWrap wraps `key` (a multiple of 8 bytes, at least 16) under the
// 16/24/32-byte `kek`; the result is key.size() + 8 bytes.
[[nodiscard]] Result<std::vector<uint8_t>> AesKeyWrap(std::span<const uint8_t> kek,
                                                      std::span<const uint8_t> key);

// AesKeyUnwrap reverses AesKeyWrap. A wrong KEK or any modification gives
// `auth_failed`; a length that is not a multiple of 8 or under 24 gives
// `invalid_argument`.
[[nodiscard]] Result<SecretBytes> AesKeyUnwrap(std::span<const uint8_t> kek,
                                               std::span<const uint8_t> wrapped);

// AesKeyWrapPad wraps `key` of any length from 1 byte (RFC 5649); the result
// is the length rounded up to 8, plus 8.
[[nodiscard]] Result<std::vector<uint8_t>> AesKeyWrapPad(std::span<const uint8_t> kek,
                                                         std::span<const uint8_t> key);

// AesKeyUnwrapPad reverses AesKeyWrapPad, checking the length indicator and
// the zero padding; failures are `auth_failed`.
[[nodiscard]] Result<SecretBytes> AesKeyUnwrapPad(std::span<const uint8_t> kek,
                                                  std::span<const uint8_t> wrapped);

}  // namespace envelope::crypto

#endif  // ENVELOPE_LIB_CRYPTO_KEY_WRAP_H_
