// test/adversarial: building hostile messages and running them under a
// memory probe.
#ifndef ENVELOPE_TEST_ADVERSARIAL_ADVERSARIAL_UTIL_H_
#define ENVELOPE_TEST_ADVERSARIAL_ADVERSARIAL_UTIL_H_

#include <doctest/doctest.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "envelope/keyring.hpp"
#include "memory_probe.h"

namespace envelope::testing {

using Bytes = std::vector<uint8_t>;

// Put appends `v` big-endian in `n` bytes.
inline void Put(Bytes& out, uint64_t v, size_t n) {
  for (size_t i = n; i-- > 0;) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

inline void Append(Bytes& out, const Bytes& more) {
  out.insert(out.end(), more.begin(), more.end());
}

// TestKeyring is a raw AES keyring with a fixed test key.
inline std::shared_ptr<const Keyring> TestKeyring() {
  static const auto keyring = [] {
    const Bytes key(32, 0x42);
    auto k = NewRawAesKeyring("adversarial", "key", KeyView(key));
    REQUIRE(k.has_value());
    return *k;
  }();
  return keyring;
}

// Bounded runs `body` under a MemoryProbe, checks the memory bound and
// prints how long it took (printed only: no timing asserts in tests).
inline void Bounded(const std::string& name, const std::function<void()>& body) {
  const auto start = std::chrono::steady_clock::now();
  MemoryProbe probe;
  body();
  const size_t peak = probe.PeakBytes();
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  MESSAGE(name << ": " << ms << " ms, peak " << peak / 1024 << " KiB above baseline");
  CHECK_MESSAGE(peak < kMemoryBound, name << " allocated " << peak << " bytes");
}

}  // namespace envelope::testing

#endif  // ENVELOPE_TEST_ADVERSARIAL_ADVERSARIAL_UTIL_H_
