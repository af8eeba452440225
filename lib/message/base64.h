// lib/message: standard base64 (RFC 4648 section 4, with padding).
//
// The ESDK stores the signature verification key in the encryption context
// as base64 of the compressed point; keys.json files carry AES keys so too.
#ifndef ENVELOPE_LIB_MESSAGE_BASE64_H_
#define ENVELOPE_LIB_MESSAGE_BASE64_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace envelope::message {

// Base64Encode returns the padded standard encoding of `bytes`.
std::string Base64Encode(std::span<const uint8_t> bytes);

// Base64Decode decodes the padded standard encoding strictly: nullopt for a
// length that is not a multiple of 4, a character outside the alphabet,
// misplaced padding or non-zero bits under the padding (so every byte
// string has exactly one accepted encoding).
std::optional<std::vector<uint8_t>> Base64Decode(std::string_view text);

}  // namespace envelope::message

#endif  // ENVELOPE_LIB_MESSAGE_BASE64_H_
