// ReadAhead: the pieces it hands out are the input, in order, whether the
// reading runs on its own thread or not; a read error is returned (and kept);
// stopping early joins the reader.
#include "commands/read_ahead.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <vector>

namespace envelope::cli {
namespace {

// PatternSource yields `size` bytes of a counter pattern in reads of at most
// `step` bytes, and fails with `io` once `fail_at` bytes are out (if set).
class PatternSource final : public Source {
 public:
  PatternSource(size_t size, size_t step, size_t fail_at = SIZE_MAX)
      : size_(size), step_(step), fail_at_(fail_at) {}
  Result<size_t> Read(std::span<uint8_t> out) override {
    if (done_ >= fail_at_) return MakeError(ErrorCode::io, "cannot read \"x\": Input/output error");
    const size_t n = std::min({out.size(), step_, size_ - done_, fail_at_ - done_});
    for (size_t i = 0; i < n; ++i) out[i] = static_cast<uint8_t>((done_ + i) * 7 + 3);
    done_ += n;
    return n;
  }

 private:
  size_t size_, step_, fail_at_;
  size_t done_ = 0;
};

bool IsPattern(const std::vector<uint8_t>& got) {
  for (size_t i = 0; i < got.size(); ++i) {
    if (got[i] != static_cast<uint8_t>(i * 7 + 3)) return false;
  }
  return true;
}

TEST_CASE("ReadAhead: the pieces are the input, in order, threaded or not") {
  for (bool threaded : {false, true}) {
    for (size_t size : {size_t{0}, size_t{1}, size_t{4095}, size_t{4096}, size_t{100000}}) {
      CAPTURE(threaded);
      CAPTURE(size);
      PatternSource source(size, 1000);
      ReadAhead reader(source, 4096, threaded);
      std::vector<uint8_t> got;
      for (;;) {
        auto piece = reader.Next();
        REQUIRE(piece);
        if (piece->empty()) break;
        CHECK(piece->size() <= 4096);
        got.insert(got.end(), piece->begin(), piece->end());
      }
      CHECK(got.size() == size);
      CHECK(IsPattern(got));
      auto again = reader.Next();  // the end stays the end
      REQUIRE(again);
      CHECK(again->empty());
    }
  }
}

TEST_CASE("ReadAhead: a read error comes after the data before it, and stays") {
  for (bool threaded : {false, true}) {
    CAPTURE(threaded);
    PatternSource source(100000, 4096, 10000);
    ReadAhead reader(source, 4096, threaded);
    std::vector<uint8_t> got;
    Result<std::span<const uint8_t>> piece = reader.Next();
    while (piece && !piece->empty()) {
      got.insert(got.end(), piece->begin(), piece->end());
      piece = reader.Next();
    }
    REQUIRE_FALSE(piece);
    CHECK(piece.error().code() == ErrorCode::io);
    CHECK(got.size() <= 10000);
    CHECK(IsPattern(got));
    auto again = reader.Next();
    REQUIRE_FALSE(again);
    CHECK(again.error().code() == ErrorCode::io);
  }
}

TEST_CASE("ReadAhead: stopping before the end joins the reader") {
  PatternSource source(size_t{1} << 30, 1 << 16);  // far more than is read
  {
    ReadAhead reader(source, 1 << 16, true);
    auto piece = reader.Next();
    REQUIRE(piece);
    CHECK(piece->size() == size_t{1} << 16);
  }  // the destructor must return (the reader is waiting for a free slot);
     // a hang here fails the suite by its timeout
}

}  // namespace
}  // namespace envelope::cli
