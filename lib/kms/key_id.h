// lib/kms: key ids, random (version 4) UUIDs, in text and in 16 bytes; a
// multi-Region key's id ("mrk-" and 32 hex digits) is 16 random bytes whose
// version nibble (the high half of byte 6) is 0, which no UUID id has.
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

// NewMultiRegionKeyId returns a random multi-Region key id.
[[nodiscard]] Result<KeyIdBytes> NewMultiRegionKeyId();

// IsMultiRegionKeyId reports whether `id` is a multi-Region key's.
inline bool IsMultiRegionKeyId(const KeyIdBytes& id) { return (id[6] >> 4) == 0; }

// FormatKeyId returns the lowercase 8-4-4-4-12 text form, or "mrk-" and 32
// lowercase hex digits for a multi-Region key.
std::string FormatKeyId(const KeyIdBytes& id);

// ParseKeyId accepts exactly the 36-character text form (either case) of a
// key that is not multi-Region, or the "mrk-" form (lower case) of one.
std::optional<KeyIdBytes> ParseKeyId(std::string_view text);

}  // namespace envelope::kms::internal

#endif  // ENVELOPE_LIB_KMS_KEY_ID_H_
