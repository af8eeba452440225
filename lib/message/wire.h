// lib/message: big-endian readers and writers over byte spans.
//
// Reader never reads past its span: every read either succeeds or returns
// `truncated` and leaves the position where it was, so a streaming caller
// can retry the same parse with more bytes.
#ifndef ENVELOPE_LIB_MESSAGE_WIRE_H_
#define ENVELOPE_LIB_MESSAGE_WIRE_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "envelope/error.hpp"
#include "envelope/io.hpp"

namespace envelope::message {

// Reader consumes a span front to back.
class Reader {
 public:
  explicit Reader(std::span<const uint8_t> data) : data_(data) {}

  size_t position() const { return pos_; }
  size_t remaining() const { return data_.size() - pos_; }

  // Bytes returns the next `n` bytes, or `truncated`.
  [[nodiscard]] Result<std::span<const uint8_t>> Bytes(size_t n) {
    if (n > remaining()) return MakeError(ErrorCode::truncated, "message ends too early");
    auto out = data_.subspan(pos_, n);
    pos_ += n;
    return out;
  }
  [[nodiscard]] Result<uint64_t> Uint(size_t n) {
    auto b = Bytes(n);
    ENVELOPE_RETURN_IF_ERROR(b);
    uint64_t v = 0;
    for (uint8_t x : *b) v = v << 8 | x;
    return v;
  }
  [[nodiscard]] Result<uint8_t> U8() {
    return Uint(1).map([](uint64_t v) { return uint8_t(v); });
  }
  [[nodiscard]] Result<uint16_t> U16() {
    return Uint(2).map([](uint64_t v) { return uint16_t(v); });
  }
  [[nodiscard]] Result<uint32_t> U32() {
    return Uint(4).map([](uint64_t v) { return uint32_t(v); });
  }
  [[nodiscard]] Result<uint64_t> U64() { return Uint(8); }

 private:
  std::span<const uint8_t> data_;
  size_t pos_ = 0;
};

// PutUint writes `v` big-endian into the `n` bytes at `out`.
inline void PutUint(uint8_t* out, uint64_t v, size_t n) {
  for (size_t i = 0; i < n; ++i) out[n - 1 - i] = uint8_t(v >> (8 * i));
}

// AppendUint appends `v` big-endian in `n` bytes.
inline void AppendUint(std::vector<uint8_t>& out, uint64_t v, size_t n) {
  for (size_t i = n; i-- > 0;) out.push_back(uint8_t(v >> (8 * i)));
}

// AsBytes (envelope/io.hpp) views text as unsigned bytes. Compare names
// held in a std::string with wire bytes through it: comparing a (signed)
// char with a uint8_t never matches a byte >= 0x80.
using ::envelope::AsBytes;

// AppendBytes appends `bytes`.
inline void AppendBytes(std::vector<uint8_t>& out, std::span<const uint8_t> bytes) {
  out.insert(out.end(), bytes.begin(), bytes.end());
}

}  // namespace envelope::message

#endif  // ENVELOPE_LIB_MESSAGE_WIRE_H_
