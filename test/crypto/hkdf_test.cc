// HKDF-SHA-512: Wycheproof hkdf_sha512_test.json (every group, every vector),
// through the one-call HkdfSha512 and through Extract then Expand, plus the
// negative cases of our own API.
#include "crypto/hkdf.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "crypto/hex.h"
#include "support/vectors.h"

namespace envelope::crypto {
namespace {

using testing::Hex;

TEST_CASE("Hkdf: every Wycheproof hkdf_sha512 vector is accounted for") {
  const auto doc = testing::LoadJson(testing::VectorPath("wycheproof/hkdf_sha512_test.json"));
  testing::Tally tally;
  for (const auto& group : doc["testGroups"]) {
    for (const auto& t : group["tests"]) {
      CAPTURE(t["tcId"].get<int>());
      const auto ikm = Hex(t["ikm"].get<std::string>()), salt = Hex(t["salt"].get<std::string>()),
                 info = Hex(t["info"].get<std::string>()), okm = Hex(t["okm"].get<std::string>());
      const size_t size = t["size"].get<size_t>();
      const std::string result = t["result"];

      std::vector<uint8_t> one_call(size), two_step(size);
      auto derived = HkdfSha512(salt, ikm, info, one_call);
      auto prk = HkdfSha512Extract(salt, ikm);
      REQUIRE(prk);  // Extract has no size to refuse: every vector has a PRK
      CHECK(prk->size() == kSha512Size);
      auto expanded = HkdfSha512Expand(prk->span(), info, two_step);

      if (result == "valid") {
        const bool ok = derived && expanded && one_call == okm && two_step == okm;
        CHECK(ok);
        ok ? ++tally.valid_passed : ++tally.failed;
      } else if (result == "invalid") {
        // The only invalid vectors are SizeTooLarge (16321 bytes): both entry
        // points must refuse the size before deriving anything.
        const bool rejected = !derived && derived.error().code() == ErrorCode::invalid_argument &&
                              !expanded && expanded.error().code() == ErrorCode::invalid_argument;
        CHECK(rejected);
        rejected ? ++tally.invalid_rejected : ++tally.failed;
      } else {
        ++tally.acceptable;
      }
    }
  }
  tally.Print("hkdf_sha512_test.json");
  CHECK(tally.failed == 0);
  CHECK(tally.total() == doc["numberOfTests"].get<int>());
}

// RFC 5869 test case 1 inputs; the PRK is a valid 64-byte Expand key.
struct Inputs {
  std::vector<uint8_t> ikm = std::vector<uint8_t>(22, 0x0b);
  std::vector<uint8_t> salt = Hex("000102030405060708090a0b0c");
  std::vector<uint8_t> info = Hex("f0f1f2f3f4f5f6f7f8f9");
};

TEST_CASE("Hkdf: rejects an empty output") {
  Inputs in;
  std::vector<uint8_t> empty;
  auto r = HkdfSha512(in.salt, in.ikm, in.info, empty);
  REQUIRE_FALSE(r);
  CHECK(r.error().code() == ErrorCode::invalid_argument);
  auto prk = HkdfSha512Extract(in.salt, in.ikm);
  REQUIRE(prk);
  auto e = HkdfSha512Expand(prk->span(), in.info, empty);
  REQUIRE_FALSE(e);
  CHECK(e.error().code() == ErrorCode::invalid_argument);
}

TEST_CASE("Hkdf: rejects an output longer than 255 * 64 bytes") {
  Inputs in;
  std::vector<uint8_t> too_long(kHkdfSha512MaxOutput + 1, 0xaa);
  auto r = HkdfSha512(in.salt, in.ikm, in.info, too_long);
  REQUIRE_FALSE(r);
  CHECK(r.error().code() == ErrorCode::invalid_argument);
  CHECK(r.error().message().find("16321") != std::string::npos);
  auto prk = HkdfSha512Extract(in.salt, in.ikm);
  REQUIRE(prk);
  auto e = HkdfSha512Expand(prk->span(), in.info, too_long);
  REQUIRE_FALSE(e);
  CHECK(e.error().code() == ErrorCode::invalid_argument);
  // Nothing was derived into the refused buffer.
  CHECK(std::all_of(too_long.begin(), too_long.end(), [](uint8_t b) { return b == 0xaa; }));
}

TEST_CASE("Hkdf: the maximal output of 255 * 64 bytes is accepted") {
  Inputs in;
  std::vector<uint8_t> max(kHkdfSha512MaxOutput);
  REQUIRE(HkdfSha512(in.salt, in.ikm, in.info, max));
  // Its first 42 bytes are the short answer: HKDF output is a prefix stream.
  std::vector<uint8_t> short_out(42);
  REQUIRE(HkdfSha512(in.salt, in.ikm, in.info, short_out));
  CHECK(std::equal(short_out.begin(), short_out.end(), max.begin()));
}

TEST_CASE("Hkdf: Expand rejects a PRK shorter than 64 bytes") {
  Inputs in;
  std::vector<uint8_t> out(32);
  for (size_t n : {0, 1, 32, 63}) {
    CAPTURE(n);
    std::vector<uint8_t> prk(n, 0x42);
    auto r = HkdfSha512Expand(prk, in.info, out);
    REQUIRE_FALSE(r);
    CHECK(r.error().code() == ErrorCode::invalid_argument);
  }
}

TEST_CASE("Hkdf: empty salt equals 64 zero bytes of salt") {
  Inputs in;
  std::vector<uint8_t> zeros(kSha512Size, 0);
  auto a = HkdfSha512Extract({}, in.ikm);
  auto b = HkdfSha512Extract(zeros, in.ikm);
  REQUIRE(a);
  REQUIRE(b);
  CHECK(a->Equals(*b));
}

TEST_CASE("Hkdf: an empty IKM is the empty HMAC message, not a zero byte") {
  // Regression: Extract once replaced an empty IKM by one zero byte. The
  // answer is HMAC-SHA-512(salt, "") from Python's hmac module.
  Inputs in;
  auto prk = HkdfSha512Extract(in.salt, {});
  REQUIRE(prk);
  CHECK(ToHex(prk->span()) ==
        "26babc01d205c883f375cad6e1fc24511fb2915e2e5f246ae682e0a3cbe6fb8f"
        "ab2221d7bb356af038a4e38f475631d28b1cead9c20d2a5101e57b2e6fdee396");
  const uint8_t zero[1] = {0};
  auto one_zero = HkdfSha512Extract(in.salt, zero);
  REQUIRE(one_zero);
  CHECK_FALSE(prk->Equals(*one_zero));
  // The one-call form derives from the same PRK.
  std::vector<uint8_t> a(32), b(32);
  REQUIRE(HkdfSha512(in.salt, {}, in.info, a));
  REQUIRE(HkdfSha512Expand(prk->span(), in.info, b));
  CHECK(a == b);
}

TEST_CASE("Hkdf: different info gives different output") {
  Inputs in;
  std::vector<uint8_t> a(32), b(32);
  REQUIRE(HkdfSha512(in.salt, in.ikm, in.info, a));
  const auto info2 = Hex("f0f1f2f3f4f5f6f7f8f8");  // the last bit of in.info flipped
  REQUIRE(HkdfSha512(in.salt, in.ikm, info2, b));
  CHECK(a != b);
}

namespace sha2 {
// Hkdf over SHA-256/384/512: RFC 5869 answers, agreement with the SHA-512
// implementation in hkdf.h, and the output bounds.

using testing::Hex;

TEST_CASE("Hkdf: RFC 5869 SHA-256 test cases 1 and 3") {
  // Case 1: salt and info given.
  std::vector<uint8_t> okm(42);
  REQUIRE(Hkdf(HashAlg::sha256, Hex("000102030405060708090a0b0c"),
               Hex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b"), Hex("f0f1f2f3f4f5f6f7f8f9"),
               okm));
  CHECK(okm == Hex("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf"
                   "34007208d5b887185865"));
  // Case 3: no salt, no info (the ESDK v1 shape, salt absent).
  REQUIRE(Hkdf(HashAlg::sha256, {}, Hex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b"), {}, okm));
  CHECK(okm == Hex("8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d"
                   "9d201395faa4b61a96c8"));
}

TEST_CASE("Hkdf: SHA-512 agrees with HkdfSha512 on every Wycheproof vector that fits") {
  const auto doc = testing::LoadJson(testing::VectorPath("wycheproof/hkdf_sha512_test.json"));
  int compared = 0;
  for (const auto& group : doc["testGroups"]) {
    for (const auto& t : group["tests"]) {
      if (t["result"] != "valid") continue;
      const auto ikm = Hex(t["ikm"].get<std::string>()), salt = Hex(t["salt"].get<std::string>()),
                 info = Hex(t["info"].get<std::string>()),
                 expected = Hex(t["okm"].get<std::string>());
      CAPTURE(t["tcId"].get<int>());
      std::vector<uint8_t> okm(expected.size());
      REQUIRE(Hkdf(HashAlg::sha512, salt, ikm, info, okm));
      CHECK(okm == expected);
      ++compared;
    }
  }
  CHECK(compared > 0);
}

TEST_CASE("Hkdf: SHA-384 differs from SHA-256 and rejects outputs out of range") {
  const auto ikm = Hex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b");
  std::vector<uint8_t> a(32), b(32);
  REQUIRE(Hkdf(HashAlg::sha256, {}, ikm, {}, a));
  REQUIRE(Hkdf(HashAlg::sha384, {}, ikm, {}, b));
  CHECK(a != b);
  std::vector<uint8_t> empty;
  CHECK(Hkdf(HashAlg::sha384, {}, ikm, {}, empty).error().code() == ErrorCode::invalid_argument);
  std::vector<uint8_t> too_long(255 * 32 + 1);
  CHECK(Hkdf(HashAlg::sha256, {}, ikm, {}, too_long).error().code() == ErrorCode::invalid_argument);
  std::vector<uint8_t> max(255 * 48);
  CHECK(Hkdf(HashAlg::sha384, {}, ikm, {}, max));
}

}  // namespace sha2

}  // namespace
}  // namespace envelope::crypto
