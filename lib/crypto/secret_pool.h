// lib/crypto: the pool behind small SecretBytes.
//
// libsodium's guarded allocation costs about seven system calls per
// allocation and free (mmap, mprotect for the guard pages, mlock, and back),
// and each unmap makes every other thread's CPU flush its TLB. A KMS request
// allocates several small secrets (a data key, a signing key, an access
// key's secret), so under load that was a fifth of the server's CPU time.
//
// Secrets of up to kMaxPooledSecret bytes therefore come from slabs: 64 KiB
// regions mapped once, locked in RAM (best effort, as libsodium does),
// excluded from core dumps, with an inaccessible guard page before and after
// each slab, cut into slots of one size class. A freed slot is zeroed at
// once and reused; slabs are never unmapped. What this gives up against
// libsodium's allocation: a guard page between two small secrets of the same
// slab (an overflow out of one reaches its neighbour instead of faulting).
// Sanitizer builds keep per-allocation memory so that ASan still sees every
// overflow.
#ifndef ENVELOPE_LIB_CRYPTO_SECRET_POOL_H_
#define ENVELOPE_LIB_CRYPTO_SECRET_POOL_H_

#include <cstddef>
#include <cstdint>

namespace envelope::crypto {

// kMaxPooledSecret is the largest allocation served from the pool.
inline constexpr size_t kMaxPooledSecret = 256;

// PoolAlloc returns `size` (1..kMaxPooledSecret) zeroed bytes of pooled
// secret memory, or nullptr when no memory could be mapped.
uint8_t* PoolAlloc(size_t size) noexcept;

// PoolFree zeroes and returns a slot PoolAlloc gave for the same `size`.
void PoolFree(uint8_t* p, size_t size) noexcept;

}  // namespace envelope::crypto

#endif  // ENVELOPE_LIB_CRYPTO_SECRET_POOL_H_
