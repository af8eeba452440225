// lib/crypto: one-time initialisation of libsodium and OpenSSL.
#ifndef ENVELOPE_LIB_CRYPTO_INIT_H_
#define ENVELOPE_LIB_CRYPTO_INIT_H_

#include "envelope/error.hpp"

namespace envelope::crypto {

// EnsureInitialized runs sodium_init() once per process (thread-safe) and
// returns its outcome on every call. Every entry point that touches
// libsodium calls it first.
[[nodiscard]] Result<void> EnsureInitialized();

}  // namespace envelope::crypto

#endif  // ENVELOPE_LIB_CRYPTO_INIT_H_
