#include "crypto/utf8.h"

#include <cstdint>

namespace envelope::crypto {

bool IsValidUtf8(std::string_view text) noexcept {
  const auto* p = reinterpret_cast<const uint8_t*>(text.data());
  const size_t n = text.size();
  size_t i = 0;
  while (i < n) {
    const uint8_t c = p[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len = 0;
    uint32_t cp = 0;
    uint32_t min = 0;
    if ((c & 0xe0) == 0xc0) {
      len = 2, cp = c & 0x1f, min = 0x80;
    } else if ((c & 0xf0) == 0xe0) {
      len = 3, cp = c & 0x0f, min = 0x800;
    } else if ((c & 0xf8) == 0xf0) {
      len = 4, cp = c & 0x07, min = 0x10000;
    } else {
      return false;  // a continuation byte first, or 0xf8..0xff
    }
    if (n - i < len) return false;
    for (size_t k = 1; k < len; ++k) {
      if ((p[i + k] & 0xc0) != 0x80) return false;
      cp = cp << 6 | (p[i + k] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += len;
  }
  return true;
}

Result<void> CheckUtf8(std::string_view text, std::string_view what) {
  if (IsValidUtf8(text)) return {};
  return MakeError(ErrorCode::invalid_argument, std::string(what) + " is not valid UTF-8");
}

Result<void> CheckUtf8Map(const std::map<std::string, std::string>& map, std::string_view what) {
  for (const auto& [key, value] : map) {
    if (!IsValidUtf8(key)) {
      return MakeError(ErrorCode::invalid_argument, std::string(what) + " key is not valid UTF-8");
    }
    if (!IsValidUtf8(value)) {
      return MakeError(ErrorCode::invalid_argument,
                       std::string(what) + " value for key \"" + key + "\" is not valid UTF-8");
    }
  }
  return {};
}

}  // namespace envelope::crypto
