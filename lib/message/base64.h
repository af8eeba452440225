// lib/message: standard base64 (RFC 4648 section 4, with padding), the one
// implementation of the library and the tools.
//
// The ESDK stores the signature verification key in the encryption context
// as base64 of the compressed point; keys.json files carry AES keys so too;
// the KMS API carries blobs so; armor.h streams whole messages through the
// same alphabet.
#ifndef ENVELOPE_LIB_MESSAGE_BASE64_H_
#define ENVELOPE_LIB_MESSAGE_BASE64_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace envelope::message {

// kBase64Alphabet is the standard alphabet, value order.
inline constexpr char kBase64Alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// Base64Value returns the value (0 to 63) of the base64 digit `c`, or -1.
constexpr int Base64Value(uint8_t c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

// Base64EncodeGroup writes the 4 characters of one group of `group` (1 to
// 3 bytes; fewer than 3 are padded with '='). Inline: the armor encodes
// whole messages a group at a time.
inline void Base64EncodeGroup(std::span<const uint8_t> group, std::span<char, 4> out) {
  const size_t n = group.size();
  const uint32_t v = uint32_t{group[0]} << 16 | (n > 1 ? uint32_t{group[1]} << 8 : 0) |
                     (n > 2 ? uint32_t{group[2]} : 0);
  out[0] = kBase64Alphabet[v >> 18];
  out[1] = kBase64Alphabet[(v >> 12) & 63];
  out[2] = n > 1 ? kBase64Alphabet[(v >> 6) & 63] : '=';
  out[3] = n > 2 ? kBase64Alphabet[v & 63] : '=';
}

// Base64Encode returns the padded standard encoding of `bytes`.
std::string Base64Encode(std::span<const uint8_t> bytes);

// Base64Decode decodes the padded standard encoding strictly: nullopt for a
// length that is not a multiple of 4, a character outside the alphabet,
// misplaced padding or non-zero bits under the padding (so every byte
// string has exactly one accepted encoding).
std::optional<std::vector<uint8_t>> Base64Decode(std::string_view text);

}  // namespace envelope::message

#endif  // ENVELOPE_LIB_MESSAGE_BASE64_H_
