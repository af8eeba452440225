// The UTF-8 validator (lib/crypto/utf8.cc).
#include "crypto/utf8.h"

#include <doctest/doctest.h>

#include <string>

namespace envelope::crypto {
namespace {

TEST_CASE("IsValidUtf8: accepts ASCII, 2-, 3- and 4-byte forms and the edges") {
  for (const char* s : {"", "plain ascii", "cl\xc3\xa9", "\xd0\xba\xd0\xbb\xd1\x8e\xd1\x87",
                        "\xe2\x82\xac", "\xf0\x9f\x94\x91", "\xc2\x80", "\xed\x9f\xbf",
                        "\xee\x80\x80", "\xf4\x8f\xbf\xbf", "\xef\xbf\xbf"}) {
    CAPTURE(s);
    CHECK(IsValidUtf8(s));
  }
  CHECK(IsValidUtf8(std::string("nul\0inside", 10)));
}

TEST_CASE("IsValidUtf8: rejects bad lead bytes, overlongs, surrogates, > U+10FFFF, truncation") {
  for (const char* s : {"\xff",
                        "k=\xff",
                        "\x80",
                        "\xbf",
                        "\xc0\x80",
                        "\xc1\xbf",
                        "\xe0\x80\x80",
                        "\xe0\x9f\xbf",
                        "\xf0\x80\x80\x80",
                        "\xf0\x8f\xbf\xbf",
                        "\xed\xa0\x80",
                        "\xed\xbf\xbf",
                        "\xf4\x90\x80\x80",
                        "\xf5\x80\x80\x80",
                        "\xf8\x88\x80\x80\x80",
                        "\xfe",
                        "\xc3",
                        "\xe2\x82",
                        "\xf0\x9f\x94",
                        "\xc3\x28",
                        "\xe2\x28\xa1",
                        "ok\xf0\x9f\x94"}) {
    CAPTURE(s);
    CHECK_FALSE(IsValidUtf8(s));
  }
}

TEST_CASE("CheckUtf8: names the field and never echoes the bytes") {
  CHECK(CheckUtf8("cl\xc3\xa9", "key alias"));
  auto bad = CheckUtf8("a\xff", "key alias");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code() == ErrorCode::invalid_argument);
  CHECK(bad.error().message() == "key alias is not valid UTF-8");
}

TEST_CASE("CheckUtf8Map: says whether the key or the value is bad, quoting a good key") {
  CHECK(CheckUtf8Map({{"k", "v"}, {"cl\xc3\xa9", "\xd0\xba"}}, "encryption context"));
  auto value = CheckUtf8Map({{"a", "ok"}, {"k", "\xff"}}, "encryption context");
  REQUIRE_FALSE(value);
  CHECK(value.error().message() == "encryption context value for key \"k\" is not valid UTF-8");
  auto key = CheckUtf8Map({{"\xff", "v"}}, "tag");
  REQUIRE_FALSE(key);
  CHECK(key.error().message() == "tag key is not valid UTF-8");
  CHECK(key.error().message().find('\xff') == std::string::npos);
}

}  // namespace
}  // namespace envelope::crypto
