// lib/crypto: the library's single source of random bytes.
#ifndef ENVELOPE_LIB_CRYPTO_RANDOM_H_
#define ENVELOPE_LIB_CRYPTO_RANDOM_H_

#include <cstdint>
#include <span>
#include <string>

#include "envelope/error.hpp"

namespace envelope::crypto {

// RandomBytes fills `out` from OpenSSL's DRBG (seeded from the kernel). It
// fails closed: on failure `out` is zeroed and an `internal` error returned,
// never a partially random buffer.
//
// Under FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION the bytes come from a fixed
// seed so fuzzer runs are reproducible; such a build must never ship.
[[nodiscard]] Result<void> RandomBytes(std::span<uint8_t> out);

// RandomUuid returns a random (version 4) UUID in its 36-character text
// form, as AWS's request and event ids are; the nil-like
// "00000000-0000-4000-8000-000000000000" if the generator fails (an id,
// never key material).
std::string RandomUuid();

}  // namespace envelope::crypto

#endif  // ENVELOPE_LIB_CRYPTO_RANDOM_H_
