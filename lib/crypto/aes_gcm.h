// lib/crypto: AES-GCM with 12-byte IVs and 16-byte tags.
//
// AES-256 protects data; AES-128 and AES-192 exist because other ESDKs' raw
// AES wrapping keys may have those sizes. Other IV and tag sizes are rejected
// with `unsupported`: we never produce them and have no reason to accept them.
#ifndef ENVELOPE_LIB_CRYPTO_AES_GCM_H_
#define ENVELOPE_LIB_CRYPTO_AES_GCM_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>

#include "crypto/ossl_fwd.h"
#include "envelope/error.hpp"
#include "envelope/secret.hpp"

namespace envelope::crypto {

inline constexpr size_t kGcmIvSize = 12;
inline constexpr size_t kGcmTagSize = 16;
// NIST SP 800-38D: at most 2^39 - 256 bits of plaintext per (key, IV).
inline constexpr uint64_t kGcmMaxPlaintext = (uint64_t{1} << 36) - 32;

// GcmBackend names an implementation of AES-GCM.
enum class GcmBackend {
  openssl,   // OpenSSL's EVP AES-GCM: always available
  ipsec_mb,  // Intel ipsec-mb's direct GCM API: built in, and the CPU has AVX2
};

// ActiveGcmBackend returns the backend AesGcm::New uses. It is chosen on
// first use: ipsec-mb when GcmBackendAvailable(ipsec_mb), OpenSSL otherwise
// or when the environment variable ENVELOPE_AES_BACKEND is `openssl`
// (`ipsec-mb`, `auto` or unset choose automatically; other values are
// ignored).
GcmBackend ActiveGcmBackend() noexcept;

// GcmBackendAvailable reports whether `backend` can run in this process:
// OpenSSL always; ipsec-mb when the library was built in (meson option
// `ipsec_mb`) and its detected code path is AVX2 or better.
bool GcmBackendAvailable(GcmBackend backend) noexcept;

// GcmBackendDescription names a backend with its version and code path, e.g.
// "openssl 3.0.11" or "ipsec-mb 1.3.0 (avx512, vaes)". The string is static.
const char* GcmBackendDescription(GcmBackend backend) noexcept;

// SetGcmBackendForTesting makes `backend` the active one for every later
// AesGcm::New in the process; for tests, benchmarks and fuzz targets that
// run one binary over both backends. Fails with `unsupported` when the
// backend is not available here.
[[nodiscard]] Result<void> SetGcmBackendForTesting(GcmBackend backend);

// AesGcm is a reusable AES-GCM context: the key schedule is computed once in
// `New`, and each Seal/Open call sets only the IV and AAD, with no allocation.
// This is what the chunk engine calls once per chunk.
//
// An AesGcm is not thread-safe: give each thread its own (they are cheap).
// Moving is allowed; copying is not.
class AesGcm {
 public:
  // New builds a context for a 16-, 24- or 32-byte key on the active
  // backend. Fails with `invalid_argument` for other key sizes.
  [[nodiscard]] static Result<AesGcm> New(std::span<const uint8_t> key);

  // New builds a context on a named backend (differential tests, benchmarks).
  // Fails as above, or with `unsupported` when the backend is not available.
  [[nodiscard]] static Result<AesGcm> New(std::span<const uint8_t> key, GcmBackend backend);

  AesGcm(AesGcm&& other) noexcept;
  AesGcm& operator=(AesGcm&& other) noexcept;
  AesGcm(const AesGcm&) = delete;
  AesGcm& operator=(const AesGcm&) = delete;
  ~AesGcm();

  // Seal encrypts `in` into `out` (same size) and writes the 16-byte tag to
  // `tag`. `in` and `out` may be the same buffer; they must not otherwise
  // overlap. Fails with `unsupported` for an IV that is not 12 bytes or a
  // tag span that is not 16 bytes, `invalid_argument` for mismatched sizes.
  [[nodiscard]] Result<void> Seal(std::span<const uint8_t> iv, std::span<const uint8_t> aad,
                                  std::span<const uint8_t> in, std::span<uint8_t> out,
                                  std::span<uint8_t> tag);

  // Open verifies `tag` over (aad, in) and decrypts `in` into `out` (same
  // size; the same buffer is allowed). On `auth_failed` every byte of `out`
  // has been zeroed: no unauthenticated plaintext escapes.
  [[nodiscard]] Result<void> Open(std::span<const uint8_t> iv, std::span<const uint8_t> aad,
                                  std::span<const uint8_t> in, std::span<const uint8_t> tag,
                                  std::span<uint8_t> out);

  // Clone returns an independent context under the same key, on the same
  // backend. The chunk engine has each worker clone its context itself, so
  // the contexts of two threads, which both backends write on every call,
  // never share a cache line: OpenSSL's come from the calling thread's malloc
  // arena, and every ipsec-mb state is its own pages of secret memory.
  [[nodiscard]] Result<AesGcm> Clone() const;

  // key_size returns 16, 24 or 32.
  size_t key_size() const noexcept { return key_size_; }

  // backend returns the implementation this context runs on.
  GcmBackend backend() const noexcept {
    return imb_.empty() ? GcmBackend::openssl : GcmBackend::ipsec_mb;
  }

 private:
  AesGcm(UniquePtr<evp_cipher_ctx_st> enc, UniquePtr<evp_cipher_ctx_st> dec, size_t key_size)
      : enc_(std::move(enc)), dec_(std::move(dec)), key_size_(key_size) {}
  AesGcm(SecretBytes imb, size_t key_size) : imb_(std::move(imb)), key_size_(key_size) {}
  void Free() noexcept;
  bool Usable() const noexcept { return enc_ != nullptr || !imb_.empty(); }

  // OpenSSL backend: one context per direction (both null otherwise).
  UniquePtr<evp_cipher_ctx_st> enc_;
  UniquePtr<evp_cipher_ctx_st> dec_;
  // ipsec-mb backend: expanded key, GHASH tables and call context in secret
  // memory (empty otherwise).
  SecretBytes imb_;
  size_t key_size_ = 0;
};

// AesGcmSeal is the one-shot form: `out` must be in.size() + 16 bytes and
// receives ciphertext || tag.
[[nodiscard]] Result<void> AesGcmSeal(std::span<const uint8_t> key, std::span<const uint8_t> iv,
                                      std::span<const uint8_t> aad, std::span<const uint8_t> in,
                                      std::span<uint8_t> out);

// AesGcmOpen is the one-shot form: `in` is ciphertext || tag (at least 16
// bytes), `out` must be in.size() - 16 bytes and is zeroed on failure.
[[nodiscard]] Result<void> AesGcmOpen(std::span<const uint8_t> key, std::span<const uint8_t> iv,
                                      std::span<const uint8_t> aad, std::span<const uint8_t> in,
                                      std::span<uint8_t> out);

}  // namespace envelope::crypto

#endif  // ENVELOPE_LIB_CRYPTO_AES_GCM_H_
