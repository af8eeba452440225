// SecretBytes, SecureZero and ConstantTimeEqual (lib/crypto/secret_bytes.cc).
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <thread>
#include <utility>
#include <vector>

#include "envelope/secret.hpp"

namespace envelope {
namespace {

bool AllZero(std::span<const uint8_t> bytes) {
  return std::all_of(bytes.begin(), bytes.end(), [](uint8_t b) { return b == 0; });
}

TEST_CASE("SecretBytes: Allocate returns zeroed memory of the asked size") {
  for (size_t n : {1, 16, 32, 4096, 100000}) {
    CAPTURE(n);
    auto s = SecretBytes::Allocate(n);
    REQUIRE(s);
    CHECK(s->size() == n);
    CHECK_FALSE(s->empty());
    REQUIRE(s->data() != nullptr);
    CHECK(AllZero(s->span()));
    // The memory is writable over its whole length.
    std::fill(s->data(), s->data() + n, uint8_t{0xa5});
    CHECK(s->span().back() == 0xa5);
  }
}

TEST_CASE("SecretBytes: zero size is an empty owner") {
  auto a = SecretBytes::Allocate(0);
  REQUIRE(a);
  CHECK(a->empty());
  CHECK(a->size() == 0);
  CHECK(a->data() == nullptr);
  auto r = SecretBytes::Random(0);
  REQUIRE(r);
  CHECK(r->empty());
  auto c = SecretBytes::CopyFrom({});
  REQUIRE(c);
  CHECK(c->empty());
  auto clone = a->Clone();
  REQUIRE(clone);
  CHECK(clone->empty());
  SecretBytes d;
  CHECK(d.empty());
  CHECK(d.span().empty());
}

TEST_CASE("SecretBytes: Random draws are distinct and not all zero") {
  auto a = SecretBytes::Random(32);
  auto b = SecretBytes::Random(32);
  REQUIRE(a);
  REQUIRE(b);
  CHECK(a->size() == 32);
  CHECK_FALSE(a->Equals(*b));
  CHECK_FALSE(AllZero(a->span()));
  CHECK_FALSE(AllZero(b->span()));
}

TEST_CASE("SecretBytes: CopyFrom copies the bytes") {
  const std::vector<uint8_t> src = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  auto s = SecretBytes::CopyFrom(src);
  REQUIRE(s);
  CHECK(s->size() == src.size());
  CHECK(s->data() != src.data());
  CHECK(std::equal(src.begin(), src.end(), s->data()));
}

TEST_CASE("SecretBytes: move construction leaves the source empty") {
  auto a = SecretBytes::Random(32);
  REQUIRE(a);
  const uint8_t* storage = a->data();
  SecretBytes b(std::move(*a));
  CHECK(b.data() == storage);
  CHECK(b.size() == 32);
  CHECK(a->empty());  // NOLINT(bugprone-use-after-move): the state is specified
  CHECK(a->data() == nullptr);
}

TEST_CASE("SecretBytes: move assignment leaves the source empty and frees the target") {
  auto a = SecretBytes::Random(16);
  auto b = SecretBytes::Random(48);
  REQUIRE(a);
  REQUIRE(b);
  const uint8_t* storage = a->data();
  *b = std::move(*a);
  CHECK(b->data() == storage);
  CHECK(b->size() == 16);
  CHECK(a->empty());  // NOLINT(bugprone-use-after-move)
  CHECK(a->data() == nullptr);
}

TEST_CASE("SecretBytes: Clone is equal but in different storage") {
  auto a = SecretBytes::Random(32);
  REQUIRE(a);
  auto c = a->Clone();
  REQUIRE(c);
  CHECK(c->Equals(*a));
  CHECK(c->data() != a->data());
  // Changing the clone leaves the original alone.
  c->data()[0] ^= 1;
  CHECK_FALSE(c->Equals(*a));
}

TEST_CASE("SecretBytes: Equals compares contents and sizes") {
  const std::vector<uint8_t> bytes(32, 9);
  auto a = SecretBytes::CopyFrom(bytes);
  auto b = SecretBytes::CopyFrom(bytes);
  auto shorter = SecretBytes::CopyFrom(std::span(bytes).first(31));
  REQUIRE(a);
  REQUIRE(b);
  REQUIRE(shorter);
  CHECK(a->Equals(*b));
  CHECK_FALSE(a->Equals(*shorter));
  CHECK_FALSE(shorter->Equals(*a));
  b->data()[31] ^= 0x80;
  CHECK_FALSE(a->Equals(*b));
  CHECK(SecretBytes().Equals(SecretBytes()));
}

TEST_CASE("ConstantTimeEqual: equal, different and differently sized inputs") {
  const std::vector<uint8_t> a = {1, 2, 3, 4}, same = {1, 2, 3, 4}, last = {1, 2, 3, 5},
                             first = {0, 2, 3, 4}, shorter = {1, 2, 3}, empty;
  CHECK(ConstantTimeEqual(a, same));
  CHECK_FALSE(ConstantTimeEqual(a, last));
  CHECK_FALSE(ConstantTimeEqual(a, first));
  CHECK_FALSE(ConstantTimeEqual(a, shorter));
  CHECK_FALSE(ConstantTimeEqual(shorter, a));
  CHECK_FALSE(ConstantTimeEqual(a, empty));
  CHECK(ConstantTimeEqual(empty, empty));
}

TEST_CASE("SecureZero: wipes the span and only the span") {
  std::vector<uint8_t> buf(64, 0xff);
  SecureZero(std::span(buf).subspan(8, 48));
  CHECK(AllZero(std::span(buf).subspan(8, 48)));
  CHECK(buf[7] == 0xff);
  CHECK(buf[56] == 0xff);
  SecureZero({});  // an empty span is allowed
}

TEST_CASE("SecretBytes: small buffers from many threads are zeroed, distinct and reusable") {
  // Small secrets share pooled slabs (secret_pool.h): a reused slot must be
  // zero again, and no two live buffers may overlap.
  std::atomic<int> bad{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&bad, t] {
      std::vector<std::pair<SecretBytes, uint8_t>> live;
      for (int round = 0; round < 2000; ++round) {
        const size_t size = 1 + static_cast<size_t>((round * 37 + t * 11) % 300);
        auto s = SecretBytes::Allocate(size);
        if (!s || s->size() != size) {
          ++bad;
          continue;
        }
        for (uint8_t b : s->span()) {
          if (b != 0) ++bad;
        }
        // Each buffer gets its own byte (dirtying it for the next user too).
        const auto mark = static_cast<uint8_t>(1 + (t * 61 + round) % 255);
        std::memset(s->data(), mark, s->size());
        live.emplace_back(std::move(*s), mark);
        if (live.size() > 64) live.erase(live.begin(), live.begin() + 32);
        // Every live buffer still holds only its own byte.
        if (round % 50 == 0) {
          for (const auto& [buffer, expected] : live) {
            for (uint8_t b : buffer.span()) {
              if (b != expected) ++bad;
            }
          }
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(bad == 0);
}

}  // namespace
}  // namespace envelope
