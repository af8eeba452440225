// lib/crypto: Argon2id password hashing (RFC 9106) through libsodium's
// crypto_pwhash_argon2id, for keys derived from a passphrase.
//
// libsodium runs Argon2id v1.3 with one lane, no secret and no associated
// data, and takes a 16-byte salt; those are fixed here too. The cost
// parameters travel with whatever the key protects (the KMS keystore header
// stores them), so they are a struct with validation rather than constants.
#ifndef ENVELOPE_LIB_CRYPTO_PASSWORD_HASH_H_
#define ENVELOPE_LIB_CRYPTO_PASSWORD_HASH_H_

#include <cstddef>
#include <cstdint>
#include <span>

#include "envelope/error.hpp"
#include "envelope/secret.hpp"

namespace envelope::crypto {

// kArgon2idSaltSize is the only salt size libsodium accepts.
inline constexpr size_t kArgon2idSaltSize = 16;
// Bounds we accept when reading stored parameters: libsodium's minimums, and
// maximums far above any sensible setting so that a corrupt or hostile header
// cannot make us allocate or spin without limit (4 GiB, 64 passes).
inline constexpr uint32_t kArgon2idMinOps = 1;
inline constexpr uint32_t kArgon2idMaxOps = 64;
inline constexpr uint32_t kArgon2idMinMemKiB = 8;
inline constexpr uint32_t kArgon2idMaxMemKiB = 4u * 1024 * 1024;

// Argon2idParams are the cost parameters of one derivation. The defaults
// (3 passes over 64 MiB, about a quarter second on a laptop) follow
// RFC 9106's second recommended option with one lane.
struct Argon2idParams {
  uint32_t ops = 3;              // passes over memory ("t")
  uint32_t mem_kib = 64 * 1024;  // memory in KiB ("m")
};

// ValidateArgon2idParams fails with `invalid_argument` when `params` are
// outside the accepted bounds above.
[[nodiscard]] Result<void> ValidateArgon2idParams(const Argon2idParams& params);

// Argon2idDeriveKey derives `out_size` bytes (16 to 1024) from `password`
// and a 16-byte `salt` into new secret memory. Fails with `invalid_argument`
// for a wrong salt size, an output size out of range or bad parameters, and
// `internal` when libsodium fails (usually: out of memory).
[[nodiscard]] Result<SecretBytes> Argon2idDeriveKey(std::span<const uint8_t> password,
                                                    std::span<const uint8_t> salt,
                                                    const Argon2idParams& params, size_t out_size);

}  // namespace envelope::crypto

#endif  // ENVELOPE_LIB_CRYPTO_PASSWORD_HASH_H_
