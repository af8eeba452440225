// fuzz: helpers shared by the harnesses.
//
// FUZZ_CHECK(cond) states a property of the code under test. A violation
// prints the condition and traps, so libFuzzer (or the replay main) records
// the input as a crash. FuzzInput splits a fuzzer input into typed fields
// (what libFuzzer's FuzzedDataProvider does, but available to gcc builds).
#ifndef ENVELOPE_FUZZ_FUZZ_UTIL_H_
#define ENVELOPE_FUZZ_FUZZ_UTIL_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#define FUZZ_CHECK(cond)                                                                 \
  do {                                                                                   \
    if (!(cond)) {                                                                       \
      std::fprintf(stderr, "%s:%d: property violated: %s\n", __FILE__, __LINE__, #cond); \
      __builtin_trap();                                                                  \
    }                                                                                    \
  } while (0)

namespace envelope::fuzz {

// FuzzInput consumes an input front to back; reads past the end yield zeros
// or empty spans, so every input is usable.
class FuzzInput {
 public:
  FuzzInput(const uint8_t* data, size_t size) : data_(data, size) {}

  size_t remaining() const { return data_.size() - pos_; }

  uint8_t U8() { return pos_ < data_.size() ? data_[pos_++] : 0; }
  uint16_t U16() { return static_cast<uint16_t>(U8() << 8 | U8()); }
  uint32_t U32() { return uint32_t{U16()} << 16 | U16(); }

  // Bytes returns up to `n` bytes.
  std::span<const uint8_t> Bytes(size_t n) {
    n = std::min(n, remaining());
    auto out = data_.subspan(pos_, n);
    pos_ += n;
    return out;
  }
  // String returns a string of up to `max` bytes, its length read first.
  std::string String(size_t max) {
    const size_t n = U8() % (max + 1);
    auto b = Bytes(n);
    return {b.begin(), b.end()};
  }
  // Rest returns everything not consumed yet.
  std::span<const uint8_t> Rest() { return Bytes(remaining()); }

 private:
  std::span<const uint8_t> data_;
  size_t pos_ = 0;
};

// Contains reports whether `needle` (non-empty) occurs in `haystack`.
inline bool Contains(std::string_view haystack, std::span<const uint8_t> needle) {
  if (needle.empty()) return false;
  return haystack.find(std::string_view(reinterpret_cast<const char*>(needle.data()),
                                        needle.size())) != std::string_view::npos;
}

// Hex returns the lowercase hex form of `bytes`.
inline std::string Hex(std::span<const uint8_t> bytes) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  for (uint8_t b : bytes) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 15]);
  }
  return out;
}

// Mix returns a cheap hash of `bytes`, for choices derived from an input
// that must stay a plain message (split points, which byte to flip).
inline uint64_t Mix(std::span<const uint8_t> bytes) {
  uint64_t h = 1469598103934665603ull;
  for (uint8_t b : bytes) h = (h ^ b) * 1099511628211ull;
  return h;
}

}  // namespace envelope::fuzz

#endif  // ENVELOPE_FUZZ_FUZZ_UTIL_H_
