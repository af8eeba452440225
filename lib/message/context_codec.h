// lib/message: the encryption context block of the header.
//
//   +-------+------------+-----+------------+-------+--------------+-----
//   | count | key length | key | val length | value | key length   | ...
//   |  (2)  |    (2)     |     |    (2)     |       | (next pair)  |
//   +-------+------------+-----+------------+-------+--------------+-----
//
// Pairs are sorted by the raw UTF-8 bytes of their keys, without duplicates,
// and keys and values are UTF-8. An empty context serializes to zero bytes
// (no count field). The same bytes are the AAD of the raw AES keyring and,
// for keys not stored in the header, part of the header tag's AAD.
#ifndef ENVELOPE_LIB_MESSAGE_CONTEXT_CODEC_H_
#define ENVELOPE_LIB_MESSAGE_CONTEXT_CODEC_H_

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "crypto/utf8.h"
#include "envelope/error.hpp"
#include "envelope/materials.hpp"

namespace envelope::message {

// kMaxContextBytes is the most the 2-byte AAD length field can express.
inline constexpr size_t kMaxContextBytes = 65535;

// IsValidUtf8 is lib/crypto's validator (crypto/utf8.h), the one every
// layer uses; named here for the header codec.
using crypto::IsValidUtf8;

// SerializeContext returns the canonical block for `context`. Fails with
// `invalid_argument` for a key or value that is not UTF-8 or over 65535
// bytes, an empty key, or a block over 65535 bytes; a bad key or value is
// named as crypto::CheckUtf8Map names it, never echoed.
[[nodiscard]] Result<std::vector<uint8_t>> SerializeContext(const EncryptionContext& context);

// ParseContext parses exactly `block` (the whole AAD field). Rejects with
// `invalid_argument` anything SerializeContext would not have written: a
// zero count, unsorted or duplicate keys, bad UTF-8, bytes left over.
[[nodiscard]] Result<EncryptionContext> ParseContext(std::span<const uint8_t> block);

// SubContext returns the pairs of `context` whose keys are in `keys`.
EncryptionContext SubContext(const EncryptionContext& context, std::span<const std::string> keys);

}  // namespace envelope::message

#endif  // ENVELOPE_LIB_MESSAGE_CONTEXT_CODEC_H_
