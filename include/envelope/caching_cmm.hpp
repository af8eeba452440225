// envelope: data-key caching, the caching materials manager (AWS Encryption
// SDK framework/caching-cmm.md).
//
// SECURITY TRADE-OFF. Without caching every message gets a fresh data key
// and costs one call to the keyring (an HSM round trip, a KMS request).
// With caching, one data key encrypts several messages and the keyring is
// asked once per cache entry. What that costs:
//   - a data key that leaks exposes every message encrypted under it, not
//     one: bound it with max_age, max_messages and max_bytes;
//   - while an entry lives the keyring is not asked at all, so disabling or
//     revoking the wrapping key (or losing the right to use it) takes
//     effect only when the entry expires, and an HSM's or KMS's audit log
//     records one operation per entry, not per message;
//   - the messages of one entry carry identical EDKs, so they can be linked
//     to each other;
//   - the plaintext data key (and, for signed suites, the signing key) stays
//     in this process's memory for max_age: in secret memory (locked,
//     guarded), wiped when the entry is evicted, expires, is used up, on
//     Clear() and when the cache goes.
// What it does not cost: with the v2 message format (suites 0x0478 and
// 0x0578) every message still has its own AES key, because the message key
// is HKDF(data key, random 32-byte message id) and the key commitment is per
// message too, so reusing a data key never reuses a (key, nonce) pair. The
// v1 suites without a KDF (0x0014, 0x0046, 0x0078) encrypt with the data key
// itself and are never cached.
//
// Rules (from the ESDK specification):
//   - encrypt: materials are cached only when the request states the
//     plaintext length (EncryptionMaterialsRequest::max_plaintext_length;
//     the one-shot Encrypt does, streams do not) and it is within max_bytes;
//     an entry serves a message only if its message and byte counts stay
//     within the limits; the underlying CMM is asked with max_bytes as the
//     plaintext length. Signed suites are cached like the others (the
//     signing key is part of the entry), as the ESDK does.
//   - decrypt: materials are cached by suite, the EDKs, the stored and the
//     reproduced context; the entry lives for max_age.
//   - entries are keyed by SHA-512 over the partition id, the suite, the
//     commitment policy and the encryption context (ESDK Appendix A, with
//     the policy and the reproduced context added), so caching CMMs that
//     share one cache never use each other's entries unless they share a
//     partition id.
#ifndef ENVELOPE_CACHING_CMM_HPP_
#define ENVELOPE_CACHING_CMM_HPP_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "envelope/error.hpp"
#include "envelope/export.h"
#include "envelope/materials.hpp"

ENVELOPE_EXPORT_BEGIN
namespace envelope {

// MaterialsCache holds cached materials: at most `capacity` entries, the
// least recently used evicted first. Thread-safe; share one between caching
// CMMs to bound their memory together.
class MaterialsCache {
 public:
  virtual ~MaterialsCache() = default;
  // size returns the number of entries (expired ones not yet swept count).
  virtual size_t size() const = 0;
  // capacity returns the most entries the cache holds.
  virtual size_t capacity() const = 0;
  // Clear evicts (and wipes) every entry.
  virtual void Clear() = 0;
};

// NewMaterialsCache returns an empty LRU cache of `capacity` entries. Fails
// with `invalid_argument` for a capacity of 0.
[[nodiscard]] Result<std::shared_ptr<MaterialsCache>> NewMaterialsCache(size_t capacity);

// CachingCmmOptions are the limits of a caching CMM.
struct CachingCmmOptions {
  // max_age is how long an entry may be used after it was made (> 0).
  std::chrono::steady_clock::duration max_age = std::chrono::minutes(5);
  // max_messages is how many messages one data key may encrypt
  // (1 .. 2^32; 1 disables reuse).
  uint64_t max_messages = uint64_t{1} << 32;
  // max_bytes is how much plaintext one data key may encrypt (<= 2^63-1).
  uint64_t max_bytes = (uint64_t{1} << 63) - 1;
  // partition_id separates CMMs sharing a cache; empty: a random id, so the
  // CMM shares entries with no other.
  std::string partition_id;
};

// NewCachingCmm wraps `underlying` so its materials are reused within
// `options`' limits, stored in `cache`. The returned CMM is thread-safe:
// concurrent misses may each ask the underlying CMM (the last result is
// kept). Fails with `invalid_argument` for a null CMM or cache, max_age <= 0,
// max_messages 0 or over 2^32, or max_bytes over 2^63-1.
[[nodiscard]] Result<std::shared_ptr<const CryptoMaterialsManager>> NewCachingCmm(
    std::shared_ptr<const CryptoMaterialsManager> underlying, std::shared_ptr<MaterialsCache> cache,
    const CachingCmmOptions& options = {});

}  // namespace envelope
ENVELOPE_EXPORT_END

#endif  // ENVELOPE_CACHING_CMM_HPP_
