// RandomAccessDecryptor over unsigned v2 messages: any range equals the
// plaintext slice; a tampered frame fails only the ranges that touch it; a
// truncated or extended message fails up front; signed messages are refused.
#include "message/random_access.h"

#include <doctest/doctest.h>

#include "message_test_util.h"

namespace envelope::testing {
namespace {

std::unique_ptr<message::RandomAccessReader> Open(PositionedSource& source, const FixedCmm& cmm) {
  auto r = message::RandomAccessReader::New(source, cmm, {});
  REQUIRE(r);
  return std::move(*r);
}

TEST_CASE("RandomAccess: every range matches the plaintext") {
  FixedCmm cmm;
  for (size_t size : {0u, 1u, 4095u, 4096u, 4097u, 100000u}) {
    CAPTURE(size);
    const auto plaintext = Pattern(size);
    EncryptParams p;
    p.frame_length = 4096;
    const auto message = EncryptWith(cmm, plaintext, p);
    MemorySource source(message);
    auto reader = Open(source, cmm);
    REQUIRE(reader->plaintext_size() == size);
    const size_t points[] = {0, 1, 4095, 4096, 4097, 8191, 8192, 50000, 99999};
    for (size_t a : points) {
      for (size_t len : {0u, 1u, 2u, 4096u, 10000u}) {
        if (a > size || len > size - a) continue;
        CAPTURE(a);
        CAPTURE(len);
        std::vector<uint8_t> out(len);
        auto got = reader->ReadAt(a, out);
        REQUIRE(got);
        CHECK(*got == len);
        CHECK(std::equal(out.begin(), out.end(), plaintext.begin() + a));
      }
    }
    std::vector<uint8_t> all(size);
    auto got_all = reader->ReadAt(0, all);
    REQUIRE(got_all);
    CHECK(*got_all == size);
    CHECK(all == plaintext);
    // The PositionedSource rule, as for ChunkedRandomAccessReader: a range
    // that runs past the end is cut short, and past the end reads 0 bytes.
    std::vector<uint8_t> past(1);
    CHECK(*reader->ReadAt(size, past) == 0);
    CHECK(*reader->ReadAt(size + 100, past) == 0);
    const size_t cut = std::min<size_t>(size, 10);
    std::vector<uint8_t> tail(5000, 0xee);
    auto n = reader->ReadAt(size - cut, tail);
    REQUIRE(n);
    CHECK(*n == cut);
    CHECK(std::equal(tail.begin(), tail.begin() + cut, plaintext.end() - cut));
    CHECK(tail[cut] == 0xee);  // nothing written past what was returned
    CHECK(*reader->Size() == size);
    std::vector<uint8_t> exact(cut + 1);
    CHECK(ReadExactAt(*reader, size - cut, exact).error().code() == ErrorCode::truncated);
  }
}

TEST_CASE("RandomAccess: a tampered frame fails the ranges that touch it, zeroing output") {
  FixedCmm cmm;
  const auto plaintext = Pattern(5 * 4096 + 100);
  EncryptParams p;
  p.frame_length = 4096;
  auto message = EncryptWith(cmm, plaintext, p);
  MemorySource clean(message);
  const uint64_t header_size = Open(clean, cmm)->header().header_size;
  message[header_size + 2 * (4096 + 32) + 100] ^= 0x80;  // inside frame 3 (index 2)
  MemorySource source(message);
  auto reader = Open(source, cmm);
  std::vector<uint8_t> out(100, 0xee);
  auto r = reader->ReadAt(2 * 4096 + 5, out);
  REQUIRE_FALSE(r);
  CHECK(r.error().code() == ErrorCode::auth_failed);
  CHECK(std::all_of(out.begin(), out.end(), [](uint8_t b) { return b == 0; }));
  REQUIRE(reader->ReadAt(0, std::span(out).first(100)));
  CHECK(std::equal(out.begin(), out.end(), plaintext.begin()));
  REQUIRE(reader->ReadAt(3 * 4096, out));
  CHECK(std::equal(out.begin(), out.end(), plaintext.begin() + 3 * 4096));
}

TEST_CASE("RandomAccess: truncated, extended and signed messages fail up front") {
  FixedCmm cmm;
  EncryptParams p;
  p.frame_length = 4096;
  const auto message = EncryptWith(cmm, Pattern(3 * 4096 + 7), p);
  for (size_t cut : {1u, 7u, 4096u + 32u, 3u * 4096u + 7u + 40u}) {
    CAPTURE(cut);
    const auto shorter = std::span(message).first(message.size() - cut);
    MemorySource source(shorter);
    CHECK_FALSE(message::RandomAccessReader::New(source, cmm, {}));
  }
  // Dropping the final frame leaves a body that is a whole number of
  // regular frames: the layout then says the last regular frame is final,
  // and its tag disagrees.
  const size_t final_size = 40 + 7;
  const auto without_final = std::span(message).first(message.size() - final_size);
  MemorySource a(without_final);
  CHECK_FALSE(message::RandomAccessReader::New(a, cmm, {}));
  auto longer = message;
  longer.push_back(0);
  MemorySource b(longer);
  CHECK_FALSE(message::RandomAccessReader::New(b, cmm, {}));
  p.suite = kSigned;
  const auto signed_message = EncryptWith(cmm, Pattern(10), p);
  MemorySource c(signed_message);
  auto r = message::RandomAccessReader::New(c, cmm, {});
  REQUIRE_FALSE(r);
  CHECK(r.error().code() == ErrorCode::unsupported);
}

TEST_CASE("InspectMessage: reports the layout and rejects trailing bytes") {
  FixedCmm cmm;
  EncryptParams p;
  p.frame_length = 1000;
  p.context = {{"team", "storage"}};
  auto message = EncryptWith(cmm, Pattern(2500), p);
  MemorySource source(message);
  auto info = InspectMessage(source);
  REQUIRE(info);
  CHECK(info->header.version == 2);
  CHECK(info->header.suite == kUnsigned);
  CHECK(info->header.message_id.size() == 32);
  CHECK(info->header.context == EncryptionContext{{"team", "storage"}});
  REQUIRE(info->header.encrypted_data_keys.size() == 1);
  CHECK(info->header.encrypted_data_keys[0].provider_id == "test");
  CHECK(info->frame_count == 3);
  CHECK(info->body_size == 2 * (1000 + 32) + 40 + 500);
  CHECK(info->footer_size == 0);
  CHECK(info->plaintext_size == 2500);
  message.push_back(1);
  MemorySource longer(message);
  CHECK_FALSE(InspectMessage(longer));
  message.resize(message.size() - 2);
  MemorySource shorter(message);
  CHECK(InspectMessage(shorter).error().code() == ErrorCode::truncated);
}

}  // namespace
}  // namespace envelope::testing
