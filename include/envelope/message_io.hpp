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
#include "envelope/export.h"
#include "envelope/io.hpp"

ENVELOPE_EXPORT_BEGIN
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

// VectorSink appends everything written to a vector the caller owns. It
// offers Reserve/Commit, so writers encrypt or decrypt straight into the
// vector; reserved bytes that are not committed are wiped and removed again
// (at the latest when the sink is destroyed).
class VectorSink final : public Sink {
 public:
  explicit VectorSink(std::vector<uint8_t>& out) : out_(out) {}
  ~VectorSink() override { Drop(0); }
  Result<void> Write(std::span<const uint8_t> data) override {
    Drop(0);
    out_.insert(out_.end(), data.begin(), data.end());
    return {};
  }
  std::span<uint8_t> Reserve(size_t n) override {
    Drop(0);
    const size_t base = out_.size();
    out_.resize(base + n);
    reserved_ = n;
    return std::span(out_).subspan(base, n);
  }
  Result<void> Commit(size_t n) override {
    if (n > reserved_) return MakeError(ErrorCode::internal, "sink: commit beyond the reservation");
    Drop(n);
    return {};
  }

 private:
  // Drop keeps the first `keep` reserved bytes and removes the rest, wiped:
  // they may hold data that never authenticated.
  void Drop(size_t keep) {
    const size_t extra = std::min(reserved_ - keep, out_.size());
    if (extra > 0) {
      std::memset(out_.data() + out_.size() - extra, 0, extra);
      out_.resize(out_.size() - extra);
    }
    reserved_ = 0;
  }

  std::vector<uint8_t>& out_;
  size_t reserved_ = 0;  // bytes at the end of out_ handed out by Reserve
};

}  // namespace envelope
ENVELOPE_EXPORT_END

#endif  // ENVELOPE_MESSAGE_IO_HPP_
