// AES key wrap: Wycheproof aes_wrap_test.json (RFC 3394, AesKeyWrap) and
// aes_kwp_test.json (RFC 5649, AesKeyWrapPad), every group and every vector,
// plus the negative cases of our own API.
#include "crypto/key_wrap.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "support/vectors.h"

namespace envelope::crypto {
namespace {

using testing::Hex;

bool HasFlag(const nlohmann::json& t, std::string_view flag) {
  const auto& flags = t["flags"];
  return std::any_of(flags.begin(), flags.end(),
                     [&](const nlohmann::json& f) { return f.get<std::string>() == flag; });
}

// A KW ciphertext our API considers well-sized: a multiple of 8, at least 24.
bool KwSizeOk(size_t n) { return n >= 24 && n % 8 == 0; }

TEST_CASE("AesKeyWrap: every Wycheproof aes_wrap vector is accounted for") {
  const auto doc = testing::LoadJson(testing::VectorPath("wycheproof/aes_wrap_test.json"));
  testing::Tally tally;
  for (const auto& group : doc["testGroups"]) {
    for (const auto& t : group["tests"]) {
      CAPTURE(t["tcId"].get<int>());
      const auto kek = Hex(t["key"].get<std::string>()), msg = Hex(t["msg"].get<std::string>()),
                 ct = Hex(t["ct"].get<std::string>());
      const std::string result = t["result"];
      auto unwrapped = AesKeyUnwrap(kek, ct);

      if (result == "valid") {
        auto wrapped = AesKeyWrap(kek, msg);
        const bool ok =
            wrapped && *wrapped == ct && unwrapped && ConstantTimeEqual(unwrapped->span(), msg);
        CHECK(ok);
        ok ? ++tally.valid_passed : ++tally.failed;
      } else if (result == "invalid") {
        // A badly sized ciphertext is refused as malformed before any AES;
        // a well-sized one that fails the RFC 3394 IV check as auth_failed.
        const ErrorCode want =
            KwSizeOk(ct.size()) ? ErrorCode::auth_failed : ErrorCode::invalid_argument;
        bool rejected = !unwrapped && unwrapped.error().code() == want;
        // EmptyKey and WrongDataSize name a msg that KW cannot wrap (empty or
        // not a multiple of 8): wrapping it must be refused too.
        if (HasFlag(t, "EmptyKey") || HasFlag(t, "WrongDataSize")) {
          auto wrapped = AesKeyWrap(kek, msg);
          rejected = rejected && !wrapped && wrapped.error().code() == ErrorCode::invalid_argument;
        }
        CHECK(rejected);
        rejected ? ++tally.invalid_rejected : ++tally.failed;
      } else {
        // The only acceptable vectors are ShortKey: an 8-byte key wrapped as
        // one AES block (RFC 3394 allows it, NIST SP 800-38F does not define
        // it). Our API follows SP 800-38F: it refuses to wrap 8 bytes and to
        // unwrap 16 bytes, both as invalid_argument.
        REQUIRE(HasFlag(t, "ShortKey"));
        auto wrapped = AesKeyWrap(kek, msg);
        const bool refused = !wrapped && wrapped.error().code() == ErrorCode::invalid_argument &&
                             !unwrapped && unwrapped.error().code() == ErrorCode::invalid_argument;
        CHECK(refused);
        refused ? ++tally.acceptable : ++tally.failed;
      }
    }
  }
  tally.Print("aes_wrap_test.json");
  CHECK(tally.failed == 0);
  CHECK(tally.total() == doc["numberOfTests"].get<int>());
}

TEST_CASE("AesKeyWrapPad: every Wycheproof aes_kwp vector is accounted for") {
  const auto doc = testing::LoadJson(testing::VectorPath("wycheproof/aes_kwp_test.json"));
  testing::Tally tally;
  for (const auto& group : doc["testGroups"]) {
    for (const auto& t : group["tests"]) {
      CAPTURE(t["tcId"].get<int>());
      const auto kek = Hex(t["key"].get<std::string>()), msg = Hex(t["msg"].get<std::string>()),
                 ct = Hex(t["ct"].get<std::string>());
      const std::string result = t["result"];
      auto unwrapped = AesKeyUnwrapPad(kek, ct);

      if (result == "valid") {
        // Includes SmallKey (1 to 15 bytes): RFC 5649 wraps any length from
        // 1 byte, and so do we.
        auto wrapped = AesKeyWrapPad(kek, msg);
        const bool ok =
            wrapped && *wrapped == ct && unwrapped && ConstantTimeEqual(unwrapped->span(), msg);
        CHECK(ok);
        ok ? ++tally.valid_passed : ++tally.failed;
      } else if (result == "invalid") {
        // ModifiedPadding/ModifiedIv: a wrong IV, length indicator or
        // padding. Every KWP unwrap failure is auth_failed.
        bool rejected = !unwrapped && unwrapped.error().code() == ErrorCode::auth_failed;
        if (msg.empty()) {
          // "invalid wrapping of empty key": there is no empty key to wrap.
          auto wrapped = AesKeyWrapPad(kek, msg);
          rejected = rejected && !wrapped && wrapped.error().code() == ErrorCode::invalid_argument;
        }
        CHECK(rejected);
        rejected ? ++tally.invalid_rejected : ++tally.failed;
      } else {
        ++tally.acceptable;  // the file has none today
      }
    }
  }
  tally.Print("aes_kwp_test.json");
  CHECK(tally.failed == 0);
  CHECK(tally.total() == doc["numberOfTests"].get<int>());
}

// RFC 3394 section 4.6 (256-bit KEK, 256-bit key data).
struct KwFixture {
  std::vector<uint8_t> kek =
      Hex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
  std::vector<uint8_t> key =
      Hex("00112233445566778899aabbccddeeff000102030405060708090a0b0c0d0e0f");
  std::vector<uint8_t> wrapped =
      Hex("28c9f404c4b810f4cbccb35cfb87f8263f5786e2d80ed326cbc7f0e71a99f43b"
          "fb988b9b7a02dd21");
};

// RFC 5649 section 6 (192-bit KEK, 20-byte key).
struct KwpFixture {
  std::vector<uint8_t> kek = Hex("5840df6e29b02af1ab493b705bf16ea1ae8338f4dcc176a8");
  std::vector<uint8_t> key = Hex("c37b7e6492584340bed12207808941155068f738");
  std::vector<uint8_t> wrapped =
      Hex("138bdeaa9b8fa7fc61f97742e72248ee5ae6ae5360d1ae6a5f54f373fa543b6a");
};

TEST_CASE("AesKeyWrap: rejects a KEK that is not 16, 24 or 32 bytes") {
  KwFixture f;
  for (size_t n : {0, 8, 15, 17, 31, 33, 64}) {
    CAPTURE(n);
    std::vector<uint8_t> kek(n, 1);
    auto w = AesKeyWrap(kek, f.key);
    REQUIRE_FALSE(w);
    CHECK(w.error().code() == ErrorCode::invalid_argument);
    auto u = AesKeyUnwrap(kek, f.wrapped);
    REQUIRE_FALSE(u);
    CHECK(u.error().code() == ErrorCode::invalid_argument);
    auto wp = AesKeyWrapPad(kek, f.key);
    REQUIRE_FALSE(wp);
    CHECK(wp.error().code() == ErrorCode::invalid_argument);
    auto up = AesKeyUnwrapPad(kek, f.wrapped);
    REQUIRE_FALSE(up);
    CHECK(up.error().code() == ErrorCode::invalid_argument);
  }
}

TEST_CASE("AesKeyUnwrap: rejects the wrong KEK") {
  KwFixture f;
  auto kek = f.kek;
  kek[0] ^= 1;
  auto u = AesKeyUnwrap(kek, f.wrapped);
  REQUIRE_FALSE(u);
  CHECK(u.error().code() == ErrorCode::auth_failed);
}

TEST_CASE("AesKeyUnwrap: rejects every flipped bit") {
  KwFixture f;
  for (size_t bit = 0; bit < f.wrapped.size() * 8; ++bit) {
    CAPTURE(bit);
    auto w = f.wrapped;
    w[bit / 8] ^= uint8_t(1u << (bit % 8));
    auto u = AesKeyUnwrap(f.kek, w);
    REQUIRE_FALSE(u);
    CHECK(u.error().code() == ErrorCode::auth_failed);
  }
}

TEST_CASE("AesKeyUnwrap: rejects a truncated or extended wrap") {
  KwFixture f;
  std::vector<uint8_t> shorter(f.wrapped.begin(), f.wrapped.end() - 8);
  auto u = AesKeyUnwrap(f.kek, shorter);
  REQUIRE_FALSE(u);
  CHECK(u.error().code() == ErrorCode::auth_failed);
  auto longer = f.wrapped;
  longer.insert(longer.end(), 8, 0);
  u = AesKeyUnwrap(f.kek, longer);
  REQUIRE_FALSE(u);
  CHECK(u.error().code() == ErrorCode::auth_failed);
  auto ragged = f.wrapped;
  ragged.push_back(0);
  u = AesKeyUnwrap(f.kek, ragged);
  REQUIRE_FALSE(u);
  CHECK(u.error().code() == ErrorCode::invalid_argument);
}

TEST_CASE("AesKeyWrap: rejects keys that are empty, short or not a multiple of 8") {
  KwFixture f;
  for (size_t n : {0, 1, 7, 8, 15, 17, 33}) {
    CAPTURE(n);
    std::vector<uint8_t> key(n, 3);
    auto w = AesKeyWrap(f.kek, key);
    REQUIRE_FALSE(w);
    CHECK(w.error().code() == ErrorCode::invalid_argument);
  }
}

TEST_CASE("AesKeyWrapPad: rejects an empty key") {
  KwpFixture f;
  auto w = AesKeyWrapPad(f.kek, {});
  REQUIRE_FALSE(w);
  CHECK(w.error().code() == ErrorCode::invalid_argument);
}

TEST_CASE("AesKeyUnwrapPad: rejects the wrong KEK") {
  KwpFixture f;
  auto kek = f.kek;
  kek[23] ^= 0x80;
  auto u = AesKeyUnwrapPad(kek, f.wrapped);
  REQUIRE_FALSE(u);
  CHECK(u.error().code() == ErrorCode::auth_failed);
}

TEST_CASE("AesKeyUnwrapPad: rejects every flipped bit") {
  KwpFixture f;
  for (size_t bit = 0; bit < f.wrapped.size() * 8; ++bit) {
    CAPTURE(bit);
    auto w = f.wrapped;
    w[bit / 8] ^= uint8_t(1u << (bit % 8));
    auto u = AesKeyUnwrapPad(f.kek, w);
    REQUIRE_FALSE(u);
    CHECK(u.error().code() == ErrorCode::auth_failed);
  }
}

TEST_CASE("AesKeyUnwrapPad: rejects a truncated, extended or ragged wrap") {
  KwpFixture f;
  for (size_t n :
       {size_t{0}, size_t{8}, size_t{15}, size_t{24}, f.wrapped.size() + 1, f.wrapped.size() + 8}) {
    CAPTURE(n);
    std::vector<uint8_t> w = f.wrapped;
    w.resize(n, 0);
    auto u = AesKeyUnwrapPad(f.kek, w);
    REQUIRE_FALSE(u);
    CHECK(u.error().code() == ErrorCode::auth_failed);
  }
}

TEST_CASE("AesKeyWrapPad: KW and KWP wraps are not interchangeable") {
  KwFixture f;
  auto kw = AesKeyWrap(f.kek, f.key);
  auto kwp = AesKeyWrapPad(f.kek, f.key);
  REQUIRE(kw);
  REQUIRE(kwp);
  CHECK(*kw != *kwp);
  auto a = AesKeyUnwrapPad(f.kek, *kw);
  REQUIRE_FALSE(a);
  CHECK(a.error().code() == ErrorCode::auth_failed);
  auto b = AesKeyUnwrap(f.kek, *kwp);
  REQUIRE_FALSE(b);
  CHECK(b.error().code() == ErrorCode::auth_failed);
}

TEST_CASE("AesKeyWrapPad: round trip of every length from 1 to 40 bytes") {
  KwpFixture f;
  for (size_t n = 1; n <= 40; ++n) {
    CAPTURE(n);
    std::vector<uint8_t> key(n);
    for (size_t i = 0; i < n; ++i) key[i] = uint8_t(i * 7 + n);
    auto w = AesKeyWrapPad(f.kek, key);
    REQUIRE(w);
    CHECK(w->size() == (n + 7) / 8 * 8 + 8);
    auto u = AesKeyUnwrapPad(f.kek, *w);
    REQUIRE(u);
    CHECK(ConstantTimeEqual(u->span(), key));
  }
}

}  // namespace
}  // namespace envelope::crypto
