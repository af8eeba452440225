// lib/crypto: the ipsec-mb half of AesGcm (internal; AesGcm dispatches here).
//
// Intel's Multi-Buffer Crypto for IPsec library has AES-GCM code for AVX2,
// AVX-512 and VAES + VPCLMULQDQ, which OpenSSL 3.0 does not use. We call its
// direct GCM API: the key is expanded once (round keys and GHASH tables,
// `struct gcm_key_data`), and each message is one call with its own
// `struct gcm_context_data`. Both live in one SecretBytes buffer per AesGcm,
// laid out at a 64-byte boundary inside it:
//
//   | pad (0..63) | gcm_key_data | gcm_context_data |
//
// The library's manager (IMB_MGR, a table of function pointers chosen for
// the CPU) is built once per process and only read afterwards, which its
// documentation allows from any number of threads.
//
// Only this file's .cc includes intel-ipsec-mb.h. Built without the library
// (meson -Dipsec_mb=disabled, or not installed), Available() is false and the
// other functions are never reached: AesGcm checks Available() first.
#ifndef ENVELOPE_LIB_CRYPTO_AES_GCM_IPSEC_MB_H_
#define ENVELOPE_LIB_CRYPTO_AES_GCM_IPSEC_MB_H_

#include <cstddef>
#include <cstdint>
#include <span>

#include "envelope/error.hpp"
#include "envelope/secret.hpp"

namespace envelope::crypto::ipsec_mb {

// Available reports whether the library was built in and its auto-detected
// code path is AVX2 or better (the SSE and AVX paths are no faster than
// OpenSSL's). Decided once per process.
bool Available() noexcept;

// Description names the library version and code path, e.g.
// "ipsec-mb 1.3.0 (avx512, vaes)", or "ipsec-mb (not built in)".
const char* Description() noexcept;

// NewState expands a 16-, 24- or 32-byte key into a state buffer of its own
// (taken from a pool of wiped buffers, or freshly allocated). Fails with
// `unsupported` when !Available(), `internal` when secret memory cannot be
// allocated. The caller has checked the key size.
[[nodiscard]] Result<SecretBytes> NewState(std::span<const uint8_t> key);

// CloneState copies a state (expanded key and tables) into another buffer.
// Every buffer is its own page(s) of secret memory, so two threads' states
// never share a cache line.
[[nodiscard]] Result<SecretBytes> CloneState(const SecretBytes& state);

// ReleaseState wipes a state and keeps its buffer for a later NewState (up
// to a bound; beyond it the buffer is freed). AesGcm calls it instead of
// letting the SecretBytes free itself.
void ReleaseState(SecretBytes state) noexcept;

// Seal encrypts `in` to `out` and writes the 16-byte tag. Sizes, IV length
// and overlap have been checked by the caller (AesGcm::Seal); `in` and `out`
// may be the same buffer.
void Seal(SecretBytes& state, size_t key_size, std::span<const uint8_t> iv,
          std::span<const uint8_t> aad, std::span<const uint8_t> in, std::span<uint8_t> out,
          std::span<uint8_t, 16> tag) noexcept;

// Open decrypts `in` to `out` and compares the tag it computes over
// (aad, in) with `tag` in constant time (CRYPTO_memcmp), reading `tag` only
// after writing `out`, which therefore must not overlap it (AesGcm::Open
// passes a copy then). It returns whether they match and wipes nothing: on
// false the caller wipes `out`.
[[nodiscard]] bool Open(SecretBytes& state, size_t key_size, std::span<const uint8_t> iv,
                        std::span<const uint8_t> aad, std::span<const uint8_t> in,
                        std::span<const uint8_t, 16> tag, std::span<uint8_t> out) noexcept;

}  // namespace envelope::crypto::ipsec_mb

#endif  // ENVELOPE_LIB_CRYPTO_AES_GCM_IPSEC_MB_H_
