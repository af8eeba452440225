#include "crypto/random.h"

#include <openssl/rand.h>

#include <climits>

#include "crypto/openssl_error.h"
#include "envelope/secret.hpp"

#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
#include <sodium.h>

#include <atomic>
#include <cstring>
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

std::string RandomUuid() {
  uint8_t b[16];
  if (!RandomBytes(b)) return "00000000-0000-4000-8000-000000000000";
  b[6] = static_cast<uint8_t>((b[6] & 0x0f) | 0x40);  // version 4
  b[8] = static_cast<uint8_t>((b[8] & 0x3f) | 0x80);  // RFC 4122 variant
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (size_t i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    out += kHex[b[i] >> 4];
    out += kHex[b[i] & 0x0f];
  }
  return out;
}

}  // namespace envelope::crypto
