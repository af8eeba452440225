#include "commands/sizes.h"

#include <cctype>
#include <limits>

namespace envelope::cli {
namespace {

Error Bad(std::string_view option, std::string_view text, std::string_view expected) {
  return Error(ErrorCode::invalid_argument,
               std::string(option) + " \"" + std::string(text) + "\": " + std::string(expected));
}

constexpr std::string_view kSizeForm = "expected a byte count such as 4096, 64K, 16M or 1G";

}  // namespace

Result<uint64_t> ParseSize(std::string_view text, std::string_view option) {
  size_t i = 0;
  uint64_t value = 0;
  constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
    const uint64_t digit = static_cast<uint64_t>(text[i] - '0');
    if (value > (kMax - digit) / 10) return tl::unexpected(Bad(option, text, "too large"));
    value = value * 10 + digit;
    ++i;
  }
  if (i == 0) return tl::unexpected(Bad(option, text, kSizeForm));
  std::string suffix;
  for (; i < text.size(); ++i) {
    suffix += static_cast<char>(std::tolower(static_cast<unsigned char>(text[i])));
  }
  unsigned shift = 0;
  if (!suffix.empty()) {
    const std::string_view unit(suffix.data(), 1);
    const std::string_view rest = std::string_view(suffix).substr(1);
    if (rest != "" && rest != "b" && rest != "ib")
      return tl::unexpected(Bad(option, text, kSizeForm));
    if (unit == "k") {
      shift = 10;
    } else if (unit == "m") {
      shift = 20;
    } else if (unit == "g") {
      shift = 30;
    } else if (unit == "t") {
      shift = 40;
    } else if (unit == "b" && rest.empty()) {
      shift = 0;
    } else {
      return tl::unexpected(Bad(option, text, kSizeForm));
    }
  }
  if (shift > 0 && value > (kMax >> shift)) return tl::unexpected(Bad(option, text, "too large"));
  return value << shift;
}

std::string FormatSize(uint64_t bytes) {
  static constexpr struct {
    unsigned shift;
    char unit;
  } kUnits[] = {{40, 'T'}, {30, 'G'}, {20, 'M'}, {10, 'K'}};
  for (const auto& u : kUnits) {
    const uint64_t one = uint64_t{1} << u.shift;
    if (bytes >= one && bytes % one == 0) return std::to_string(bytes >> u.shift) + u.unit;
  }
  return std::to_string(bytes);
}

Result<ByteRange> ParseRange(std::string_view text) {
  const size_t sep = text.find_first_of(":-");
  if (sep == std::string_view::npos || sep == 0) {
    return tl::unexpected(Bad("--range", text, "expected START:LENGTH, START-END or START:"));
  }
  auto start = ParseSize(text.substr(0, sep), "--range");
  ENVELOPE_RETURN_IF_ERROR(start);
  ByteRange range{*start, std::nullopt};
  const std::string_view rest = text.substr(sep + 1);
  if (rest.empty()) return range;
  auto second = ParseSize(rest, "--range");
  ENVELOPE_RETURN_IF_ERROR(second);
  if (text[sep] == ':') {
    if (*second > std::numeric_limits<uint64_t>::max() - *start) {
      return tl::unexpected(Bad("--range", text, "ends past 2^64 - 1"));
    }
    range.length = *second;
  } else {
    if (*second < *start) return tl::unexpected(Bad("--range", text, "END is before START"));
    if (*second == std::numeric_limits<uint64_t>::max()) {
      return tl::unexpected(Bad("--range", text, "ends past 2^64 - 1"));
    }
    range.length = *second - *start + 1;
  }
  return range;
}

Result<std::pair<uint64_t, uint64_t>> RangeWithin(const ByteRange& range, uint64_t size) {
  if (range.start > size) {
    return MakeError(ErrorCode::invalid_argument,
                     "--range starts at byte " + std::to_string(range.start) +
                         ", past the end of the plaintext (" + std::to_string(size) + " bytes)");
  }
  const uint64_t left = size - range.start;
  return std::make_pair(range.start, range.length ? std::min(*range.length, left) : left);
}

}  // namespace envelope::cli
