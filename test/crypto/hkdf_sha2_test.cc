// Hkdf over SHA-256/384/512: RFC 5869 answers, agreement with the SHA-512
// implementation in hkdf.h, and the output bounds.
#include "crypto/hkdf_sha2.h"

#include <doctest/doctest.h>

#include <vector>

#include "crypto/hkdf.h"
#include "support/vectors.h"

namespace envelope::crypto {
namespace {

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

}  // namespace
}  // namespace envelope::crypto
