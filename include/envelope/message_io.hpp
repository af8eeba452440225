// envelope: the byte I/O names the message API uses.
//
// The interfaces themselves live in io.hpp (Source, Sink, PositionedSource,
// with file-descriptor and memory implementations); the message API calls
// them ByteSource, ByteSink and PositionedByteSource. SpanSource and
// VectorSink are the in-memory pair the one-shot helpers use.
#ifndef ENVELOPE_MESSAGE_IO_HPP_
#define ENVELOPE_MESSAGE_IO_HPP_

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

#include "envelope/error.hpp"
#include "envelope/io.hpp"

namespace envelope {

using ByteSource = Source;
using ByteSink = Sink;
using PositionedByteSource = PositionedSource;

// SpanSource reads a span the caller keeps alive, front to back (Read) or
// at any offset (ReadAt).
class SpanSource final : public Source, public PositionedSource {
 public:
  explicit SpanSource(std::span<const uint8_t> data) : data_(data) {}
  Result<size_t> Read(std::span<uint8_t> out) override {
    const size_t n = std::min(out.size(), data_.size() - pos_);
    if (n > 0) std::memcpy(out.data(), data_.data() + pos_, n);
    pos_ += n;
    return n;
  }
  Result<uint64_t> Size() override { return data_.size(); }
  Result<size_t> ReadAt(uint64_t offset, std::span<uint8_t> out) override {
    if (offset >= data_.size()) return size_t{0};
    const size_t n = std::min<uint64_t>(out.size(), data_.size() - offset);
    if (n > 0) std::memcpy(out.data(), data_.data() + offset, n);
    return n;
  }

 private:
  std::span<const uint8_t> data_;
  size_t pos_ = 0;
};

// VectorSink appends everything written to a vector the caller owns.
class VectorSink final : public Sink {
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
