// envelope: the small byte I/O interfaces the message API streams through.
//
// A ByteSource is read from front to back, a ByteSink written front to back,
// a PositionedByteSource read at any offset (random-access decryption). The
// in-memory implementations here serve tests and one-shot helpers; callers
// adapt files, sockets or pipes by implementing the three virtuals.
#ifndef ENVELOPE_MESSAGE_IO_HPP_
#define ENVELOPE_MESSAGE_IO_HPP_

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

#include "envelope/error.hpp"

namespace envelope {

// ByteSource yields bytes in order. Read fills a prefix of `out` and returns
// how many bytes it wrote; 0 means the end (for a non-empty `out`).
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  [[nodiscard]] virtual Result<size_t> Read(std::span<uint8_t> out) = 0;
};

// ByteSink takes bytes in order. Write consumes all of `data` or fails.
class ByteSink {
 public:
  virtual ~ByteSink() = default;
  [[nodiscard]] virtual Result<void> Write(std::span<const uint8_t> data) = 0;
};

// PositionedByteSource reads at any offset and knows its size. ReadAt fills
// `out` completely or fails (`truncated` past the end).
class PositionedByteSource {
 public:
  virtual ~PositionedByteSource() = default;
  [[nodiscard]] virtual Result<uint64_t> Size() = 0;
  [[nodiscard]] virtual Result<void> ReadAt(uint64_t offset, std::span<uint8_t> out) = 0;
};

// SpanSource reads a span the caller keeps alive; it is both a ByteSource
// and a PositionedByteSource.
class SpanSource final : public ByteSource, public PositionedByteSource {
 public:
  explicit SpanSource(std::span<const uint8_t> data) : data_(data) {}
  Result<size_t> Read(std::span<uint8_t> out) override {
    const size_t n = std::min(out.size(), data_.size() - pos_);
    if (n > 0) std::memcpy(out.data(), data_.data() + pos_, n);
    pos_ += n;
    return n;
  }
  Result<uint64_t> Size() override { return data_.size(); }
  Result<void> ReadAt(uint64_t offset, std::span<uint8_t> out) override {
    if (offset > data_.size() || out.size() > data_.size() - offset) {
      return MakeError(ErrorCode::truncated, "read past the end of the input");
    }
    if (!out.empty()) std::memcpy(out.data(), data_.data() + offset, out.size());
    return {};
  }

 private:
  std::span<const uint8_t> data_;
  size_t pos_ = 0;
};

// VectorSink appends everything written to a vector the caller owns.
class VectorSink final : public ByteSink {
 public:
  explicit VectorSink(std::vector<uint8_t>& out) : out_(out) {}
  Result<void> Write(std::span<const uint8_t> data) override {
    out_.insert(out_.end(), data.begin(), data.end());
    return {};
  }

 private:
  std::vector<uint8_t>& out_;
};

}  // namespace envelope

#endif  // ENVELOPE_MESSAGE_IO_HPP_
