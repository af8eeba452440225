// lib/kms: the KMS ciphertext blob, what Encrypt and GenerateDataKey return
// and Decrypt takes. Self-describing: the key id and version inside it say
// which key opens it, so Decrypt needs no key argument.
//
// Wire format, version 1 (integers big-endian):
//
//    0       2    3                   19         23              35
//   +-------+----+-------------------+----------+---------------+----------------+--------+
//   | "EK"  | 01 | key id (16 bytes, | key      | IV (12 bytes) | ciphertext     | tag    |
//   | magic | ver| binary UUID)      | version  | random        | (1..4096 bytes)| (16)   |
//   +-------+----+-------------------+----------+---------------+----------------+--------+
//   |<------------------- header: 35 bytes ------------------->|
//
//   AES-256-GCM under the key version's material, with
//   AAD = header (35 bytes) || SerializeContext(encryption context), where
//
//   SerializeContext = count (u16) || for each pair, sorted by key bytes:
//                      key length (u16) || key || value length (u16) || value
//
// so the context must match exactly (as a set) to decrypt, and no field of
// the header can be changed without the tag failing. The ciphertext length is
// what remains between the header and the tag; there is no length field to
// disagree with the span.
#ifndef ENVELOPE_LIB_KMS_CIPHERTEXT_BLOB_H_
#define ENVELOPE_LIB_KMS_CIPHERTEXT_BLOB_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "envelope/error.hpp"
#include "envelope/kms_types.hpp"
#include "envelope/secret.hpp"
#include "kms/key_id.h"

namespace envelope::kms::internal {

inline constexpr uint8_t kBlobMagic[2] = {'E', 'K'};
inline constexpr uint8_t kBlobVersion = 1;
inline constexpr size_t kBlobHeaderSize = 35;
inline constexpr size_t kBlobTagSize = 16;
inline constexpr size_t kBlobMinSize = kBlobHeaderSize + 1 + kBlobTagSize;
inline constexpr size_t kBlobMaxSize = kBlobHeaderSize + kMaxPlaintextSize + kBlobTagSize;
// kMaxContextSize bounds the serialized encryption context.
inline constexpr size_t kMaxContextSize = 8192;

// BlobView is a parsed blob: its fields point into the caller's span.
struct BlobView {
  KeyIdBytes key_id{};
  uint32_t key_version = 0;
  std::span<const uint8_t> header;      // the 35 header bytes (AAD prefix)
  std::span<const uint8_t> iv;          // 12 bytes
  std::span<const uint8_t> ciphertext;  // 1..4096 bytes
  std::span<const uint8_t> tag;         // 16 bytes
};

// ParseBlob checks the framing of `blob` without reading past it: too short
// is `truncated`, a foreign magic or a zero key version `invalid_argument`,
// another format version `unsupported`, a body over 4096 bytes
// `invalid_argument`. Messages start with "InvalidCiphertextException".
[[nodiscard]] Result<BlobView> ParseBlob(std::span<const uint8_t> blob);

// SerializeContext returns the canonical AAD form of `context`. Fails with
// `invalid_argument` for an empty key or a form over kMaxContextSize bytes.
[[nodiscard]] Result<std::vector<uint8_t>> SerializeContext(const EncryptionContext& context);

// SealBlob encrypts `plaintext` (1..4096 bytes) under `material` (32 bytes)
// into a new blob for key `key_id` version `key_version`.
[[nodiscard]] Result<std::vector<uint8_t>> SealBlob(const KeyIdBytes& key_id, uint32_t key_version,
                                                    std::span<const uint8_t> material,
                                                    std::span<const uint8_t> plaintext,
                                                    const EncryptionContext& context);

// OpenBlob authenticates and decrypts a parsed blob. A wrong context, key or
// any modified byte is `auth_failed` with one fixed message.
[[nodiscard]] Result<SecretBytes> OpenBlob(const BlobView& blob, std::span<const uint8_t> material,
                                           const EncryptionContext& context);

}  // namespace envelope::kms::internal

#endif  // ENVELOPE_LIB_KMS_CIPHERTEXT_BLOB_H_
