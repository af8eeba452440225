// lib/kms: key ids, random (version 4) UUIDs, in text and in 16 bytes.
#ifndef ENVELOPE_LIB_KMS_KEY_ID_H_
#define ENVELOPE_LIB_KMS_KEY_ID_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "envelope/error.hpp"

namespace envelope::kms::internal {

// KeyIdBytes is the binary form stored in ciphertext blobs.
using KeyIdBytes = std::array<uint8_t, 16>;

// NewKeyId returns a random version 4 UUID.
[[nodiscard]] Result<KeyIdBytes> NewKeyId();

// FormatKeyId returns the lowercase 8-4-4-4-12 text form.
std::string FormatKeyId(const KeyIdBytes& id);

// ParseKeyId accepts exactly the 36-character text form (either case).
std::optional<KeyIdBytes> ParseKeyId(std::string_view text);

}  // namespace envelope::kms::internal

#endif  // ENVELOPE_LIB_KMS_KEY_ID_H_
