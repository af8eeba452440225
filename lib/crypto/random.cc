#include "crypto/random.h"

#include <climits>

#include <openssl/rand.h>

#include "crypto/openssl_error.h"
#include "envelope/secret.hpp"

#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
#include <atomic>
#include <cstring>

#include <sodium.h>
#endif

namespace envelope::crypto {

#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
Result<void> RandomBytes(std::span<uint8_t> out) {
  // Deterministic: ChaCha20 keyed by a fixed seed and a call counter.
  static std::atomic<uint64_t> counter{0};
  unsigned char seed[randombytes_SEEDBYTES] = {0};
  uint64_t n = counter.fetch_add(1);
  std::memcpy(seed, &n, sizeof n);
  randombytes_buf_deterministic(out.data(), out.size(), seed);
  return {};
}
#else
Result<void> RandomBytes(std::span<uint8_t> out) {
  uint8_t* p = out.data();
  size_t left = out.size();
  while (left > 0) {
    const int n = left > INT_MAX ? INT_MAX : static_cast<int>(left);
    if (RAND_bytes(p, n) != 1) {
      SecureZero(out);  // fail closed: no partially random buffer
      return OpenSslError(ErrorCode::internal, "rng: RAND_bytes failed");
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  return {};
}
#endif

}  // namespace envelope::crypto
