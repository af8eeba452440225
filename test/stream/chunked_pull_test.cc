// The pull reader (ChunkedDecryptingReader, PumpChunkedDecrypt) reads the
// next batch of sealed chunks while the current one is opened: the same
// plaintext for any mix of read sizes, and a read error comes after every
// batch read before it was released.
#include <doctest/doctest.h>

#include <algorithm>

#include "chunked_test_util.h"

namespace envelope::stream::test {
namespace {

constexpr size_t kBatch = 3;  // chunks per batch (the testing hook)

// LimitedSource serves `data` and fails with io once `fail_at` bytes were
// served (never, by default); `served` counts the bytes handed out.
class LimitedSource final : public Source {
 public:
  explicit LimitedSource(std::span<const uint8_t> data, size_t fail_at = SIZE_MAX)
      : data_(data), fail_at_(fail_at) {}
  Result<size_t> Read(std::span<uint8_t> out) override {
    if (served == fail_at_) return MakeError(ErrorCode::io, "source: cable unplugged");
    // At most 5000 bytes per call, so ReadFull gathers each batch.
    const size_t n = std::min({out.size(), data_.size() - served, fail_at_ - served, size_t{5000}});
    std::copy_n(data_.begin() + served, n, out.begin());
    served += n;
    return n;
  }
  size_t served = 0;

 private:
  std::span<const uint8_t> data_;
  size_t fail_at_;
};

TEST_CASE(
    "Chunked pull: read sizes of every kind give the plaintext; the next batch is read ahead") {
  const Bytes plain = Pattern(40 * kC2spChunkSize + 123);
  const Bytes ct = Seal(plain);
  for (unsigned threads : {1u, 2u, 8u}) {
    CAPTURE(threads);
    LimitedSource source(ct);
    auto reader = NewChunkedDecryptingReader(Keying(threads, kBatch), source);
    REQUIRE(reader);
    CHECK(source.served == kC2spHeaderSize);
    // Small reads (copies out of the reader's buffer) and large ones
    // (opened straight into the caller's buffer) in turn.
    const size_t sizes[] = {1000, 5 * kC2spChunkSize, 1, 2 * kC2spChunkSize, 70000};
    Bytes out, buf(5 * kC2spChunkSize);
    for (size_t i = 0;; ++i) {
      auto n = (*reader)->Read(std::span(buf).first(sizes[i % 5]));
      REQUIRE(n);
      if (i == 0) {
        // The first batch was read, then the second while it was opened.
        CHECK(source.served == kC2spHeaderSize + 2 * kBatch * kC2spSealedChunkSize);
      }
      if (*n == 0) break;
      out.insert(out.end(), buf.begin(), buf.begin() + *n);
    }
    CHECK(out == plain);
    // Pump: Source to Sink through the same reader.
    LimitedSource pump_source(ct);
    MemorySink sink;
    auto total = PumpChunkedDecrypt(Keying(threads, kBatch), pump_source, sink);
    REQUIRE(total);
    CHECK(*total == plain.size());
    CHECK(sink.data() == plain);
  }
}

TEST_CASE("Chunked pull: a read error comes after the batches read before it, and sticks") {
  const Bytes plain = Pattern(40 * kC2spChunkSize + 123);
  const Bytes ct = Seal(plain);
  const size_t batch_bytes = kBatch * kC2spSealedChunkSize;
  // The source fails inside the fourth batch.
  const size_t fail_at = kC2spHeaderSize + 3 * batch_bytes + 100;
  for (unsigned threads : {1u, 2u}) {
    CAPTURE(threads);
    LimitedSource source(ct, fail_at);
    auto reader = NewChunkedDecryptingReader(Keying(threads, kBatch), source);
    REQUIRE(reader);
    Bytes out, buf(kBatch * kC2spChunkSize);
    Result<size_t> n = 0;
    for (;;) {
      n = (*reader)->Read(buf);
      if (!n || *n == 0) break;
      out.insert(out.end(), buf.begin(), buf.begin() + *n);
    }
    REQUIRE_FALSE(n);
    CHECK(n.error().code() == ErrorCode::io);
    CHECK(n.error().message() == "source: cable unplugged");
    // Three whole batches were read and verified: all of them came out.
    CHECK(out.size() == 3 * kBatch * kC2spChunkSize);
    CHECK(std::equal(out.begin(), out.end(), plain.begin()));
    auto again = (*reader)->Read(buf);
    REQUIRE_FALSE(again);
    CHECK(again.error().code() == ErrorCode::io);
  }
}

}  // namespace
}  // namespace envelope::stream::test
