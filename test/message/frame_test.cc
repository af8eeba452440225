// ParseFrameHeader, the one frame-header parser: regular and final frames,
// every short prefix, the final frame's length bound and the IV check.
#include "message/frame.h"

#include <doctest/doctest.h>

#include <vector>

#include "message/wire.h"

namespace envelope::message {
namespace {

std::vector<uint8_t> Regular(uint32_t seq) {
  std::vector<uint8_t> out;
  AppendUint(out, seq, 4);
  uint8_t iv[kFrameIvSize];
  FrameIv(seq, iv);
  AppendBytes(out, iv);
  return out;
}

std::vector<uint8_t> Final(uint32_t seq, uint32_t length) {
  std::vector<uint8_t> out;
  AppendUint(out, kFinalFrameMarker, 4);
  AppendBytes(out, Regular(seq));
  AppendUint(out, length, 4);
  return out;
}

TEST_CASE("ParseFrameHeader: a regular frame") {
  const auto bytes = Regular(7);
  auto h = ParseFrameHeader(bytes, 100);
  REQUIRE(h);
  REQUIRE(*h);
  CHECK_FALSE((*h)->final);
  CHECK((*h)->seq == 7);
  CHECK((*h)->content_length == 100);
  CHECK((*h)->size == kRegularFrameHeaderSize);
  CHECK((*h)->total_size() == kRegularFrameHeaderSize + 100 + kFrameTagSize);
  CHECK((*h)->IvMatches());
}

TEST_CASE("ParseFrameHeader: a final frame, up to the frame length") {
  for (uint32_t length : {0u, 1u, 100u}) {
    CAPTURE(length);
    const auto bytes = Final(3, length);
    auto h = ParseFrameHeader(bytes, 100);
    REQUIRE(h);
    REQUIRE(*h);
    CHECK((*h)->final);
    CHECK((*h)->seq == 3);
    CHECK((*h)->content_length == length);
    CHECK((*h)->size == kFinalFrameHeaderSize);
    CHECK((*h)->IvMatches());
  }
  auto longer = ParseFrameHeader(Final(3, 101), 100);
  REQUIRE_FALSE(longer);
  CHECK(longer.error().code() == ErrorCode::malformed);
}

TEST_CASE("ParseFrameHeader: every shorter prefix is 'not yet', not an error") {
  for (const auto& bytes : {Regular(1), Final(1, 5)}) {
    for (size_t n = 0; n < bytes.size(); ++n) {
      CAPTURE(n);
      auto h = ParseFrameHeader(std::span(bytes).first(n), 100);
      REQUIRE(h);
      CHECK_FALSE(h->has_value());
    }
  }
}

TEST_CASE("ParseFrameHeader: an IV that is not the sequence number's") {
  auto bytes = Regular(2);
  bytes[4] ^= 1;  // first IV byte, which must be zero
  auto h = ParseFrameHeader(bytes, 100);
  REQUIRE(h);
  REQUIRE(*h);
  CHECK_FALSE((*h)->IvMatches());
  auto other = Regular(2);
  other[kRegularFrameHeaderSize - 1] ^= 1;  // the sequence number in the IV
  CHECK_FALSE((**ParseFrameHeader(other, 100)).IvMatches());
}

}  // namespace
}  // namespace envelope::message
