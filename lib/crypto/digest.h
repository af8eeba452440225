// lib/crypto: SHA-2 digests and HMAC.
#ifndef ENVELOPE_LIB_CRYPTO_DIGEST_H_
#define ENVELOPE_LIB_CRYPTO_DIGEST_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "crypto/ossl_fwd.h"
#include "envelope/error.hpp"
#include "envelope/secret.hpp"

namespace envelope::crypto {

enum class HashAlg { sha256, sha384, sha512 };

// DigestSize returns 32, 48 or 64.
size_t DigestSize(HashAlg alg) noexcept;

// Hasher computes a digest incrementally (the ESDK footer signature hashes
// the whole message as it streams past). Not thread-safe; move-only.
class Hasher {
 public:
  [[nodiscard]] static Result<Hasher> New(HashAlg alg);
  Hasher(Hasher&& other) noexcept = default;
  Hasher& operator=(Hasher&& other) noexcept = default;
  Hasher(const Hasher&) = delete;
  Hasher& operator=(const Hasher&) = delete;
  ~Hasher() = default;

  // Update absorbs `data`.
  [[nodiscard]] Result<void> Update(std::span<const uint8_t> data);
  // Final writes the digest to `out` (exactly DigestSize bytes); the hasher
  // must not be updated afterwards.
  [[nodiscard]] Result<void> Final(std::span<uint8_t> out);

  HashAlg alg() const noexcept { return alg_; }

 private:
  Hasher(UniquePtr<evp_md_ctx_st> ctx, HashAlg alg) : ctx_(std::move(ctx)), alg_(alg) {}
  UniquePtr<evp_md_ctx_st> ctx_;
  HashAlg alg_;
};

// Hash returns the digest of `data`.
[[nodiscard]] Result<std::vector<uint8_t>> Hash(HashAlg alg, std::span<const uint8_t> data);

// kMd5Size is the size of an MD5 digest.
inline constexpr size_t kMd5Size = 16;

// Md5ForTransportCheck writes MD5(data) to `out` (16 bytes). MD5 is broken
// for every security purpose; this exists only to compute S3's
// x-amz-server-side-encryption-customer-key-MD5, a check that an SSE-C key
// was not damaged in transit. Never use it for anything else.
[[nodiscard]] Result<void> Md5ForTransportCheck(std::span<const uint8_t> data,
                                                std::span<uint8_t, kMd5Size> out);

// Hmac writes HMAC(key, data) to `out` (exactly DigestSize bytes).
[[nodiscard]] Result<void> Hmac(HashAlg alg, std::span<const uint8_t> key,
                                std::span<const uint8_t> data, std::span<uint8_t> out);

// HmacKey returns HMAC(key, data) in secret memory (DigestSize bytes), for
// derivation chains whose every output is itself a key (SigV4's kDate ->
// kRegion -> kService -> kSigning). Fails with `internal` when the secret
// allocation or OpenSSL fails.
[[nodiscard]] Result<SecretBytes> HmacKey(HashAlg alg, std::span<const uint8_t> key,
                                          std::span<const uint8_t> data);

}  // namespace envelope::crypto

#endif  // ENVELOPE_LIB_CRYPTO_DIGEST_H_
