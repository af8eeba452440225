#include "kms/key_id.h"

#include "crypto/hex.h"
#include "crypto/random.h"

namespace envelope::kms::internal {
namespace {

constexpr size_t kDashes[] = {8, 13, 18, 23};

}  // namespace

Result<KeyIdBytes> NewKeyId() {
  KeyIdBytes id{};
  ENVELOPE_RETURN_IF_ERROR(crypto::RandomBytes(id));
  id[6] = static_cast<uint8_t>((id[6] & 0x0f) | 0x40);  // version 4
  id[8] = static_cast<uint8_t>((id[8] & 0x3f) | 0x80);  // RFC 4122 variant
  return id;
}

Result<KeyIdBytes> NewMultiRegionKeyId() {
  KeyIdBytes id{};
  ENVELOPE_RETURN_IF_ERROR(crypto::RandomBytes(id));
  id[6] = static_cast<uint8_t>(id[6] & 0x0f);
  return id;
}

std::string FormatKeyId(const KeyIdBytes& id) {
  const std::string hex = crypto::ToHex(id);
  if (IsMultiRegionKeyId(id)) return "mrk-" + hex;
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20, 12);
}

std::optional<KeyIdBytes> ParseKeyId(std::string_view text) {
  if (text.starts_with("mrk-") && text.size() == 36) {
    auto bytes = crypto::ParseHex(text.substr(4));
    if (!bytes || bytes->size() != 16) return std::nullopt;
    KeyIdBytes id{};
    std::copy(bytes->begin(), bytes->end(), id.begin());
    // One text per id: lower case only, and the multi-Region marker.
    if (!IsMultiRegionKeyId(id) || FormatKeyId(id) != text) return std::nullopt;
    return id;
  }
  if (text.size() != 36) return std::nullopt;
  std::string hex;
  size_t next_dash = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (next_dash < 4 && i == kDashes[next_dash]) {
      if (text[i] != '-') return std::nullopt;
      ++next_dash;
      continue;
    }
    hex.push_back(text[i]);
  }
  auto bytes = crypto::ParseHex(hex);
  if (!bytes || bytes->size() != 16) return std::nullopt;
  KeyIdBytes id{};
  std::copy(bytes->begin(), bytes->end(), id.begin());
  if (IsMultiRegionKeyId(id)) return std::nullopt;  // only in its "mrk-" form
  return id;
}

}  // namespace envelope::kms::internal
