// Hex encoding (lib/crypto/hex.cc).
#include "crypto/hex.h"

#include <doctest/doctest.h>

#include <vector>

namespace envelope::crypto {
namespace {

TEST_CASE("ToHex: lowercase, two digits per byte") {
  CHECK(ToHex(std::vector<uint8_t>{0x00, 0x0f, 0xa0, 0xff}) == "000fa0ff");
  CHECK(ToHex({}).empty());
}

TEST_CASE("ParseHex: accepts either case and round-trips") {
  const std::vector<uint8_t> want = {0xde, 0xad, 0xbe, 0xef};
  CHECK(ParseHex("deadbeef") == want);
  CHECK(ParseHex("DEADBEEF") == want);
  CHECK(ParseHex("DeAdBeEf") == want);
  std::vector<uint8_t> all(256);
  for (size_t i = 0; i < all.size(); ++i) all[i] = static_cast<uint8_t>(i);
  CHECK(ParseHex(ToHex(all)) == all);
  auto empty = ParseHex("");
  REQUIRE(empty);
  CHECK(empty->empty());
}

TEST_CASE("ParseHex: rejects an odd length") {
  CHECK_FALSE(ParseHex("a"));
  CHECK_FALSE(ParseHex("abc"));
}

TEST_CASE("ParseHex: rejects a non-hex character") {
  for (const char* bad : {"0g", "g0", "zz", "0x12", " 1", "1 ", "12:4",
                          "\xff"
                          "1"}) {
    CAPTURE(bad);
    CHECK_FALSE(ParseHex(bad));
  }
}

TEST_CASE("FromHex: an invalid literal yields an empty vector") {
  CHECK(FromHex("0102") == std::vector<uint8_t>{1, 2});
  CHECK(FromHex("xyz").empty());
}

}  // namespace
}  // namespace envelope::crypto
