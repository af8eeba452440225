#include "message/base64.h"

#include <algorithm>

namespace envelope::message {

std::string Base64Encode(std::span<const uint8_t> bytes) {
  std::string out((bytes.size() + 2) / 3 * 4, '\0');
  for (size_t i = 0, o = 0; i < bytes.size(); i += 3, o += 4) {
    Base64EncodeGroup(bytes.subspan(i, std::min<size_t>(3, bytes.size() - i)),
                      std::span<char, 4>(out.data() + o, 4));
  }
  return out;
}

std::optional<std::vector<uint8_t>> Base64Decode(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  std::vector<uint8_t> out;
  out.reserve(text.size() / 4 * 3);
  for (size_t i = 0; i < text.size(); i += 4) {
    const bool last = i + 4 == text.size();
    const size_t pad = last ? (text[i + 3] == '=') + (text[i + 2] == '=') : 0;
    if (pad == 1 && text[i + 2] == '=') return std::nullopt;
    uint32_t v = 0;
    for (size_t j = 0; j < 4; ++j) {
      int d = 0;
      if (j >= 4 - pad) {
        d = 0;  // padding position, checked above
      } else {
        d = Base64Value(static_cast<uint8_t>(text[i + j]));
        if (d < 0) return std::nullopt;
      }
      v = v << 6 | uint32_t(d);
    }
    out.push_back(uint8_t(v >> 16));
    if (pad < 2) out.push_back(uint8_t(v >> 8));
    if (pad < 1) out.push_back(uint8_t(v));
    // Bits under the padding must be zero for a canonical encoding.
    if ((pad == 1 && (v & 0xff) != 0) || (pad == 2 && (v & 0xffff) != 0)) return std::nullopt;
  }
  return out;
}

}  // namespace envelope::message
