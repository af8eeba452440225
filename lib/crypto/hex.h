// lib/crypto: hexadecimal encoding for known answers, vectors and JSON.
#ifndef ENVELOPE_LIB_CRYPTO_HEX_H_
#define ENVELOPE_LIB_CRYPTO_HEX_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace envelope::crypto {

// ToHex returns lowercase hex of `bytes`. Never use it on key material
// outside tests.
std::string ToHex(std::span<const uint8_t> bytes);

// ParseHex decodes `hex` (either case); nullopt for odd length or a non-hex
// character.
std::optional<std::vector<uint8_t>> ParseHex(std::string_view hex);

// FromHex decodes trusted literals (known answers); an invalid literal is a
// programming error and yields an empty vector.
std::vector<uint8_t> FromHex(std::string_view hex);

}  // namespace envelope::crypto

#endif  // ENVELOPE_LIB_CRYPTO_HEX_H_
