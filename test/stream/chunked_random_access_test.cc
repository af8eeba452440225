// ChunkedRandomAccessReader: every range between interesting offsets equals
// the plaintext slice; a tampered chunk fails exactly the ranges touching it;
// the length is authenticated before any answer about the end (Size, seek
// from the end, reads reaching the end); the cursor is sticky; only the
// chunks a range touches are read.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <set>

#include "chunked_test_util.h"

namespace envelope::stream::test {
namespace {

constexpr size_t kChunk = kC2spChunkSize;
constexpr size_t kSlot = kC2spSealedChunkSize;
constexpr size_t kHeader = kC2spHeaderSize;

// A message of three full chunks and a 1000-byte final chunk.
const Bytes& Plain() {
  static const Bytes plain = Pattern(3 * kChunk + 1000, 11);
  return plain;
}

std::vector<uint64_t> Offsets() {
  const uint64_t p = Plain().size();
  std::set<uint64_t> set = {0, 1, p - 1, p, p + 1, p + 5000};
  for (uint64_t k = 1; k <= 3; ++k) {
    for (int d : {-1, 0, 1}) set.insert(k * kChunk + d);
  }
  uint32_t x = 12345;
  for (int i = 0; i < 6; ++i) {
    x = x * 1103515245 + 12345;
    set.insert(x % p);
  }
  return {set.begin(), set.end()};
}

// CountingSource counts the bytes read through it.
class CountingSource final : public PositionedSource {
 public:
  explicit CountingSource(PositionedSource& inner) : inner_(inner) {}
  Result<size_t> ReadAt(uint64_t offset, std::span<uint8_t> out) override {
    auto n = inner_.ReadAt(offset, out);
    if (n) bytes += *n;
    ++calls;
    return n;
  }
  Result<uint64_t> Size() override { return inner_.Size(); }
  uint64_t bytes = 0;
  int calls = 0;

 private:
  PositionedSource& inner_;
};

TEST_CASE("RandomAccess: every range between interesting offsets equals the plaintext slice") {
  const Bytes& plain = Plain();
  const Bytes ct = Seal(plain);
  const auto offsets = Offsets();
  for (unsigned threads : {1u, 2u}) {
    for (size_t batch : {size_t{0}, size_t{1}}) {
      CAPTURE(threads);
      CAPTURE(batch);
      MemorySource source(ct);
      auto reader = NewChunkedRandomAccessReader(Keying(threads, batch), source);
      REQUIRE(reader);
      for (uint64_t a : offsets) {
        for (uint64_t b : offsets) {
          if (b < a) continue;
          CAPTURE(a);
          CAPTURE(b);
          Bytes out(b - a, 0xee);
          auto n = (*reader)->ReadAt(a, out);
          REQUIRE(n);
          const uint64_t expect = a >= plain.size() ? 0 : std::min<uint64_t>(b, plain.size()) - a;
          REQUIRE(*n == expect);
          CHECK(std::equal(out.begin(), out.begin() + *n,
                           plain.begin() + std::min(a, uint64_t(plain.size()))));
        }
      }
      auto size = (*reader)->Size();
      REQUIRE(size);
      CHECK(*size == plain.size());
    }
  }
}

TEST_CASE("RandomAccess: a tampered chunk fails exactly the ranges that touch it") {
  const Bytes& plain = Plain();
  const Bytes good = Seal(plain);
  const auto offsets = Offsets();
  const uint64_t p = plain.size();
  for (uint64_t bad_chunk = 0; bad_chunk < 4; ++bad_chunk) {
    CAPTURE(bad_chunk);
    Bytes ct = good;
    ct[kHeader + bad_chunk * kSlot + 7] ^= 0x20;
    MemorySource source(ct);
    auto reader = NewChunkedRandomAccessReader(Keying(1), source);
    REQUIRE(reader);
    for (uint64_t a : offsets) {
      for (uint64_t b : offsets) {
        if (b <= a) continue;
        CAPTURE(a);
        CAPTURE(b);
        // Chunks the range touches; reaching past the end needs the final
        // chunk (chunk 3) to authenticate the length.
        const bool past_end = b > p;
        const uint64_t first = std::min(a, p) / kChunk;
        const uint64_t last = (std::min(b, p) - 1) / kChunk;
        const bool touches =
            (a < p && first <= bad_chunk && bad_chunk <= last) || (past_end && bad_chunk == 3);
        Bytes out(b - a, 0xee);
        auto n = (*reader)->ReadAt(a, out);
        CHECK(n.has_value() == !touches);
        if (!n) {
          CHECK(n.error().code() == ErrorCode::auth_failed);
          CHECK(std::all_of(out.begin(), out.end(), [](uint8_t x) { return x == 0; }));
        }
      }
    }
    CHECK((*reader)->Size().has_value() == (bad_chunk != 3));
  }
}

TEST_CASE("RandomAccess: seeking from the end authenticates the length") {
  const Bytes& plain = Plain();
  const Bytes ct = Seal(plain);
  {
    MemorySource source(ct);
    auto reader = NewChunkedRandomAccessReader(Keying(1), source);
    REQUIRE(reader);
    auto pos = (*reader)->Seek(-10, ChunkedRandomAccessReader::Whence::kEnd);
    REQUIRE(pos);
    CHECK(*pos == plain.size() - 10);
    Bytes tail(100);
    auto n = (*reader)->Read(tail);
    REQUIRE(n);
    CHECK(*n == 10);
    CHECK(std::equal(tail.begin(), tail.begin() + 10, plain.end() - 10));
    CHECK(*(*reader)->Read(tail) == 0);
    CHECK((*reader)->Tell() == plain.size());
    CHECK(*(*reader)->Seek(-5, ChunkedRandomAccessReader::Whence::kCurrent) == plain.size() - 5);
    CHECK((*reader)->Seek(-1, ChunkedRandomAccessReader::Whence::kBegin).error().code() ==
          ErrorCode::invalid_argument);
    CHECK((*reader)->Seek(INT64_MIN, ChunkedRandomAccessReader::Whence::kEnd).error().code() ==
          ErrorCode::invalid_argument);
  }
  // Cut at a chunk boundary (the final chunk and the last full one gone):
  // the front still reads, anything about the end is refused.
  const Bytes cut(ct.begin(), ct.begin() + kHeader + 2 * kSlot);
  MemorySource cut_source(cut);
  auto reader = NewChunkedRandomAccessReader(Keying(1), cut_source);
  REQUIRE(reader);
  Bytes front(100);
  CHECK(*(*reader)->ReadAt(0, front) == 100);
  auto end = (*reader)->Seek(0, ChunkedRandomAccessReader::Whence::kEnd);
  REQUIRE_FALSE(end);
  CHECK(end.error().code() == ErrorCode::truncated);
  CHECK((*reader)->Size().error().code() == ErrorCode::truncated);
  Bytes all(plain.size());
  CHECK((*reader)->ReadAt(0, all).error().code() == ErrorCode::truncated);
  Bytes second(kChunk);
  CHECK(*(*reader)->ReadAt(kChunk, second) == kChunk);  // chunk 1 is still there
  CHECK((*reader)->ReadAt(2 * kChunk, front).error().code() == ErrorCode::truncated);

  // Cut inside a chunk: the length looks valid, the final chunk does not
  // verify.
  const Bytes mid(ct.begin(), ct.begin() + kHeader + 2 * kSlot + 9000);
  MemorySource mid_source(mid);
  auto mid_reader = NewChunkedRandomAccessReader(Keying(1), mid_source);
  REQUIRE(mid_reader);
  auto size = (*mid_reader)->Size();
  REQUIRE_FALSE(size);
  CHECK(size.error().code() == ErrorCode::auth_failed);
  CHECK_FALSE((*mid_reader)->Seek(0, ChunkedRandomAccessReader::Whence::kEnd));
  // A read past the claimed end must not report a clean end of message.
  CHECK_FALSE((*mid_reader)->ReadAt(2 * kChunk + 8900, front));
}

TEST_CASE("RandomAccess: the cursor keeps failing after an error") {
  Bytes ct = Seal(Plain());
  ct[kHeader + kSlot + 1] ^= 1;  // chunk 1
  MemorySource source(ct);
  auto reader = NewChunkedRandomAccessReader(Keying(1), source);
  REQUIRE(reader);
  Bytes out(kChunk);
  REQUIRE(*(*reader)->Read(out) == kChunk);  // chunk 0
  auto r = (*reader)->Read(out);
  REQUIRE_FALSE(r);
  REQUIRE(*(*reader)->Seek(0, ChunkedRandomAccessReader::Whence::kBegin) == 0);
  auto again = (*reader)->Read(out);
  REQUIRE_FALSE(again);
  CHECK(again.error() == r.error());
  CHECK(*(*reader)->ReadAt(0, out) == kChunk);  // ReadAt is stateless
}

TEST_CASE("RandomAccess: a file through pread; a 4 KiB read reads about one chunk") {
  const Bytes plain = Pattern(64 * kChunk + 123, 4);
  const Bytes ct = Seal(plain);
  char path[] = "/tmp/envelope_chunked_ra_XXXXXX";
  const int fd = mkstemp(path);
  REQUIRE(fd >= 0);
  unlink(path);
  FdSink sink(fd);
  REQUIRE(sink.Write(ct));
  FdPositionedSource file(fd);
  CountingSource counting(file);
  auto reader = NewChunkedRandomAccessReader(Keying(2), counting);
  REQUIRE(reader);
  CHECK(counting.bytes == kHeader);
  for (uint64_t offset : {uint64_t{0}, uint64_t{5 * kChunk + 100}, uint64_t{40 * kChunk - 2000}}) {
    CAPTURE(offset);
    counting.bytes = 0;
    Bytes out(4096);
    REQUIRE(*(*reader)->ReadAt(offset, out) == 4096);
    CHECK(std::equal(out.begin(), out.end(), plain.begin() + offset));
    // One chunk, or two when the range straddles a boundary.
    const uint64_t chunks = (offset + 4095) / kChunk - offset / kChunk + 1;
    CHECK(counting.bytes == chunks * kSlot);
  }
  counting.bytes = 0;
  auto size = (*reader)->Size();
  REQUIRE(size);
  CHECK(*size == plain.size());
  CHECK(counting.bytes == 123 + kTagSize);  // just the final chunk
  close(fd);
}

}  // namespace
}  // namespace envelope::stream::test
