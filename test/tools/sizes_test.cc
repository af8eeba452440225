// The sizes and ranges of the command line (--range, --max-frame-size,
// --max-buffer): suffixes, inclusive ends, overflow, clamping at the end.
#include "commands/sizes.h"

#include <doctest/doctest.h>

#include <cstdint>
#include <limits>

namespace envelope::cli {
namespace {

TEST_CASE("ParseSize reads digits with binary suffixes") {
  CHECK(ParseSize("0", "--x").value() == 0);
  CHECK(ParseSize("4096", "--x").value() == 4096);
  CHECK(ParseSize("64K", "--x").value() == 64u << 10);
  CHECK(ParseSize("16m", "--x").value() == 16u << 20);
  CHECK(ParseSize("1GiB", "--x").value() == uint64_t{1} << 30);
  CHECK(ParseSize("2TB", "--x").value() == uint64_t{2} << 40);
  CHECK(ParseSize("7b", "--x").value() == 7);
  CHECK(ParseSize("18446744073709551615", "--x").value() == std::numeric_limits<uint64_t>::max());
  for (const char* bad :
       {"", "K", "-1", "1.5M", "12Q", "1 M", "1Mx", "18446744073709551616", "16777216T", "1bb"}) {
    CAPTURE(bad);
    auto r = ParseSize(bad, "--max-buffer");
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code() == ErrorCode::invalid_argument);
    CHECK(r.error().message().find("--max-buffer") != std::string::npos);
  }
}

TEST_CASE("FormatSize writes the largest whole unit") {
  CHECK(FormatSize(16u << 20) == "16M");
  CHECK(FormatSize(256u << 20) == "256M");
  CHECK(FormatSize(uint64_t{1} << 30) == "1G");
  CHECK(FormatSize(1536) == "1536");
  CHECK(FormatSize(3072) == "3K");
  CHECK(FormatSize(1000) == "1000");
  CHECK(FormatSize(0) == "0");
}

TEST_CASE("ParseRange: START:LENGTH, START-END (END included), START:") {
  auto a = ParseRange("10:20");
  REQUIRE(a.has_value());
  CHECK(a->start == 10);
  CHECK(a->length.value() == 20);
  auto b = ParseRange("4K-8K");
  REQUIRE(b.has_value());
  CHECK(b->start == 4096);
  CHECK(b->length.value() == 4097);
  auto c = ParseRange("1M:");
  REQUIRE(c.has_value());
  CHECK(c->start == 1u << 20);
  CHECK_FALSE(c->length.has_value());
  auto d = ParseRange("5-");
  REQUIRE(d.has_value());
  CHECK_FALSE(d->length.has_value());
  auto e = ParseRange("5-5");
  REQUIRE(e.has_value());
  CHECK(e->length.value() == 1);
  for (const char* bad : {"", "10", ":5", "-5", "10-5", "a:b", "1:2:3", "18446744073709551615:1",
                          "0-18446744073709551615"}) {
    CAPTURE(bad);
    auto r = ParseRange(bad);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().message().find("--range") != std::string::npos);
  }
}

TEST_CASE("RangeWithin cuts at the end and refuses a start past it") {
  CHECK(RangeWithin({10, 20}, 100).value() == std::make_pair(uint64_t{10}, uint64_t{20}));
  CHECK(RangeWithin({90, 20}, 100).value() == std::make_pair(uint64_t{90}, uint64_t{10}));
  CHECK(RangeWithin({100, 5}, 100).value() == std::make_pair(uint64_t{100}, uint64_t{0}));
  CHECK(RangeWithin({3, std::nullopt}, 100).value() == std::make_pair(uint64_t{3}, uint64_t{97}));
  auto r = RangeWithin({101, 1}, 100);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().message() ==
        "--range starts at byte 101, past the end of the plaintext (100 bytes)");
}

}  // namespace
}  // namespace envelope::cli
