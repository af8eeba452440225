// lib/message: the message header and its encrypted data keys.
//
// Version 2 (what we write; all integers big-endian):
//
//   +---------+----------+------------+------------+----------------------+
//   | version | suite id | message id | AAD length | encryption context   |
//   |  0x02   |   (2)    |    (32)    |    (2)     | (AAD length bytes)   |
//   +---------+----------+------------+------------+----------------------+
//   | EDK count (2) | EDK ... | content type (1) | frame length (4)       |
//   +---------------+---------+------------------+------------------------+
//   | suite data: commit key (32) | header auth tag (16)                  |
//   +-----------------------------+---------------------------------------+
//
// Each EDK:
//   | provider id len (2) | provider id | info len (2) | info | ct len (2) | ct |
//
// Version 1 (decrypt only):
//
//   | 0x01 | type 0x80 | suite id (2) | message id (16) | AAD length (2) |
//   | context | EDK count (2) | EDKs | content type (1) | reserved 0 (4) |
//   | IV length 12 (1) | frame length (4) | header IV (12) | auth tag (16) |
//
// The header body is everything before the IV/tag; the auth tag is AES-GCM
// over an empty plaintext with AAD = header body || serialized context of
// the keys not stored in the header, under the derived key (IV: 12 zero
// bytes in v2, the stored IV in v1). Content type 0x02 is framed; 0x01
// (non-framed, frame length 0) is only read.
#ifndef ENVELOPE_LIB_MESSAGE_HEADER_H_
#define ENVELOPE_LIB_MESSAGE_HEADER_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "envelope/error.hpp"
#include "envelope/materials.hpp"
#include "envelope/message.hpp"
#include "message/suite.h"

namespace envelope::message {

inline constexpr size_t kHeaderTagSize = 16;
inline constexpr size_t kHeaderIvSize = 12;

enum class ContentType : uint8_t { non_framed = 1, framed = 2 };

// Header is a parsed or to-be-written header.
struct Header {
  const SuiteInfo* suite = nullptr;
  std::vector<uint8_t> message_id;
  EncryptionContext context;  // as stored
  std::vector<EncryptedDataKey> encrypted_data_keys;
  ContentType content_type = ContentType::framed;
  uint32_t frame_length = 0;
  std::vector<uint8_t> suite_data;  // v2: the 32-byte commit key
  std::vector<uint8_t> iv;          // v1: 12 bytes; v2: empty (all zeros)
  std::vector<uint8_t> auth_tag;    // 16 bytes

  uint8_t version() const { return suite->message_version; }
};

// ParsedHeader is a header and where it ended.
struct ParsedHeader {
  Header header;
  size_t body_size = 0;   // bytes covered by the auth tag
  size_t total_size = 0;  // body + IV (v1) + tag
};

// The limit checks below are the one definition of what a reader with
// `limits` refuses, used by ParseHeader on decode and by the encryptor,
// which refuses to write a message its readers would refuse. Each returns
// nullopt when the value is within the limit, else the reason.
std::optional<std::string> ContextOverLimit(size_t context_bytes, const DecodeLimits& limits);
std::optional<std::string> EdkCountOverLimit(size_t count, const DecodeLimits& limits);
std::optional<std::string> FrameLengthOverLimit(uint64_t frame_length, const DecodeLimits& limits);
std::optional<std::string> HeaderOverLimit(size_t header_bytes, const DecodeLimits& limits);

// ParseHeader parses the header at the front of `bytes` (more may follow).
// Fails with `truncated` when `bytes` ends first (a streaming caller retries
// with more), `limit_exceeded` as soon as a field passes `limits` (the EDK
// count is checked before any EDK is read), `malformed` for any field the
// format forbids, an unknown version or an unknown suite (a version or
// suite we do not know is indistinguishable from a flipped byte).
[[nodiscard]] Result<ParsedHeader> ParseHeader(std::span<const uint8_t> bytes,
                                               const DecodeLimits& limits);

// SerializeHeaderBody returns the header body (everything the tag covers).
// Fails with `invalid_argument` when a field cannot be expressed.
[[nodiscard]] Result<std::vector<uint8_t>> SerializeHeaderBody(const Header& header);

// SerializeHeader returns the body followed by IV (v1) and tag. For any
// header ParseHeader accepted, the result is byte-identical to its input.
[[nodiscard]] Result<std::vector<uint8_t>> SerializeHeader(const Header& header);

// ToHeaderInfo copies the public fields of `parsed`.
HeaderInfo ToHeaderInfo(const ParsedHeader& parsed);

}  // namespace envelope::message

#endif  // ENVELOPE_LIB_MESSAGE_HEADER_H_
