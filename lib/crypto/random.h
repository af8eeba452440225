// lib/crypto: the library's single source of random bytes.
#ifndef ENVELOPE_LIB_CRYPTO_RANDOM_H_
#define ENVELOPE_LIB_CRYPTO_RANDOM_H_

#include <cstdint>
#include <span>

#include "envelope/error.hpp"

namespace envelope::crypto {

// RandomBytes fills `out` from OpenSSL's DRBG (seeded from the kernel). It
// fails closed: on failure `out` is zeroed and an `internal` error returned,
// never a partially random buffer.
//
// Under FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION the bytes come from a fixed
// seed so fuzzer runs are reproducible; such a build must never ship.
[[nodiscard]] Result<void> RandomBytes(std::span<uint8_t> out);

}  // namespace envelope::crypto

#endif  // ENVELOPE_LIB_CRYPTO_RANDOM_H_
