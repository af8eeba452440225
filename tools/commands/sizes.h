// tools/commands: the sizes and byte ranges the command line takes
// (--range, --max-frame-size, --max-buffer).
#ifndef ENVELOPE_TOOLS_COMMANDS_SIZES_H_
#define ENVELOPE_TOOLS_COMMANDS_SIZES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "envelope/error.hpp"

namespace envelope::cli {

// ParseSize reads a byte count: decimal digits with an optional binary
// suffix K, M, G or T (case-insensitive, "KiB" and "KB" too, all powers of
// 1024). Fails with invalid_argument naming `option` for anything else or a
// value over 2^64 - 1.
[[nodiscard]] Result<uint64_t> ParseSize(std::string_view text, std::string_view option);

// FormatSize writes `bytes` the way ParseSize reads it back, with the largest
// suffix that divides it ("64M", "16M", "1000").
std::string FormatSize(uint64_t bytes);

// ByteRange is a --range: `length` bytes from `start`; no length means to
// the end of the plaintext.
struct ByteRange {
  uint64_t start = 0;
  std::optional<uint64_t> length;
};

// ParseRange reads START:LENGTH, START-END (END inclusive, as in an HTTP
// Range header) or START: / START- (to the end), each number a ParseSize.
// Fails with invalid_argument naming --range for an END before START or a
// range that ends past 2^64 - 1.
[[nodiscard]] Result<ByteRange> ParseRange(std::string_view text);

// RangeWithin clamps `range` to a plaintext of `size` bytes: the offset and
// length of the bytes to write (fewer than asked when the range runs past
// the end). Fails with invalid_argument when the range starts past the end.
[[nodiscard]] Result<std::pair<uint64_t, uint64_t>> RangeWithin(const ByteRange& range,
                                                                uint64_t size);

}  // namespace envelope::cli

#endif  // ENVELOPE_TOOLS_COMMANDS_SIZES_H_
