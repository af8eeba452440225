// The CSPRNG entry point (lib/crypto/random.cc).
#include "crypto/random.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <string>
#include <vector>

namespace envelope::crypto {
namespace {

TEST_CASE("RandomBytes: fills the buffer and two draws differ") {
  std::array<uint8_t, 32> a{}, b{};
  REQUIRE(RandomBytes(a));
  REQUIRE(RandomBytes(b));
  CHECK(a != b);
  CHECK(std::any_of(a.begin(), a.end(), [](uint8_t x) { return x != 0; }));
}

TEST_CASE("RandomBytes: an empty span is allowed") { CHECK(RandomBytes({})); }

TEST_CASE("RandomBytes: a large buffer has every byte value") {
  // 1 MiB of uniform bytes misses one of 256 values with probability about
  // 256 * (255/256)^(2^20): never.
  std::vector<uint8_t> big(1 << 20);
  REQUIRE(RandomBytes(big));
  std::array<bool, 256> seen{};
  for (uint8_t x : big) seen[x] = true;
  CHECK(std::all_of(seen.begin(), seen.end(), [](bool s) { return s; }));
}

TEST_CASE("RandomUuid: version 4 text form, different each time") {
  const std::string a = RandomUuid();
  const std::string b = RandomUuid();
  CHECK(a != b);
  REQUIRE(a.size() == 36);
  for (size_t i = 0; i < a.size(); ++i) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      CHECK(a[i] == '-');
    } else {
      CHECK(((a[i] >= '0' && a[i] <= '9') || (a[i] >= 'a' && a[i] <= 'f')));
    }
  }
  CHECK(a[14] == '4');                                          // version 4
  CHECK(std::string("89ab").find(a[19]) != std::string::npos);  // RFC 4122 variant
}

}  // namespace
}  // namespace envelope::crypto
