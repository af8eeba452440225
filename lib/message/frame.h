// lib/message: the framed body, frame by frame.
//
// Regular frame (sequence numbers 1, 2, ...; exactly frame length bytes):
//
//   +---------------------+---------+--------------------------+----------+
//   | sequence number (4) | IV (12) | ciphertext (frame length)| tag (16) |
//   +---------------------+---------+--------------------------+----------+
//
// Final frame (exactly one, last; content length 0 .. frame length):
//
//   +------------+---------------------+---------+--------------------+
//   | 0xFFFFFFFF | sequence number (4) | IV (12) | content length (4) |
//   +------------+---------------------+---------+--------------------+
//   | ciphertext (content length) | tag (16) |
//   +-----------------------------+----------+
//
// Non-framed body (legacy v1, read only):
//
//   | IV (12) | content length (8) | ciphertext | tag (16) |
//
// IV = 8 zero bytes || sequence number (a non-framed body: the stored IV).
// Frame AAD = message id || content string || sequence number (4) ||
// plaintext length (8), the content string being "AWSKMSEncryptionClient
// Frame", "... Final Frame" or "... Single Block". The IV repeats across
// messages: only the fresh random message id (and so a fresh derived key
// in every suite but the identity-KDF legacy ones) keeps (key, IV) unique.
#ifndef ENVELOPE_LIB_MESSAGE_FRAME_H_
#define ENVELOPE_LIB_MESSAGE_FRAME_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "envelope/error.hpp"
#include "stream/chunk_engine.h"

namespace envelope::message {

inline constexpr size_t kSeqSize = 4;
inline constexpr size_t kFrameIvSize = 12;
inline constexpr size_t kFrameTagSize = 16;
inline constexpr uint32_t kFinalFrameMarker = 0xFFFFFFFF;
// kMaxSequenceNumber is the last usable number (the marker is not one).
inline constexpr uint64_t kMaxSequenceNumber = 0xFFFFFFFE;
inline constexpr size_t kRegularFrameOverhead = kSeqSize + kFrameIvSize + kFrameTagSize;
inline constexpr size_t kFinalFrameOverhead = 4 + kSeqSize + kFrameIvSize + 4 + kFrameTagSize;

inline constexpr std::string_view kFrameString = "AWSKMSEncryptionClient Frame";
inline constexpr std::string_view kFinalFrameString = "AWSKMSEncryptionClient Final Frame";
inline constexpr std::string_view kSingleBlockString = "AWSKMSEncryptionClient Single Block";

// kRegularFrameHeaderSize and kFinalFrameHeaderSize are the bytes before a
// frame's ciphertext.
inline constexpr size_t kRegularFrameHeaderSize = kSeqSize + kFrameIvSize;
inline constexpr size_t kFinalFrameHeaderSize = 4 + kSeqSize + kFrameIvSize + 4;

// FrameHeader is the parsed head of one frame (the pictures above).
struct FrameHeader {
  bool final = false;
  uint32_t seq = 0;
  std::span<const uint8_t> iv;  // kFrameIvSize bytes of the parsed input
  uint32_t content_length = 0;  // the frame length for a regular frame
  size_t size = 0;              // kRegularFrameHeaderSize or kFinalFrameHeaderSize

  // IvMatches reports whether the stored IV is the one of `seq` (FrameIv).
  bool IvMatches() const;
  // total_size is the whole frame: header, ciphertext and tag.
  uint64_t total_size() const { return size + uint64_t{content_length} + kFrameTagSize; }
};

// ParseFrameHeader reads the header of the frame at the start of `data`, in
// a body of frame length `frame_length`: the one frame-header parser of the
// decryptor, random access, inspect and rewrap. Returns nullopt when `data`
// ends before the header does. Fails with `malformed` for a final frame
// longer than the frame length. Sequence numbers and IVs are the caller's
// to check (each knows which one it expects).
[[nodiscard]] Result<std::optional<FrameHeader>> ParseFrameHeader(std::span<const uint8_t> data,
                                                                  uint32_t frame_length);

// FrameIv writes the IV of sequence number `seq`.
void FrameIv(uint32_t seq, std::span<uint8_t, kFrameIvSize> iv);

// BodyAad returns the AAD of one frame or of a non-framed body.
std::vector<uint8_t> BodyAad(std::span<const uint8_t> message_id, std::string_view content,
                             uint32_t seq, uint64_t length);

// FrameSchedule gives the chunk engine the IV and AAD of each frame: chunk
// index i is sequence number i + 1.
class FrameSchedule final : public stream::ChunkSchedule {
 public:
  explicit FrameSchedule(std::span<const uint8_t> message_id)
      : message_id_(message_id.begin(), message_id.end()) {}
  size_t max_aad_size() const noexcept override;
  size_t Params(uint64_t index, bool final, size_t plaintext_size,
                std::span<uint8_t, stream::kNonceSize> nonce,
                std::span<uint8_t> aad) const noexcept override;

 private:
  std::vector<uint8_t> message_id_;
};

// FrameLayout computes where frames sit in a body of known size, for random
// access: every regular frame is frame_length + 32 bytes, the final one
// content + 40.
struct FrameLayout {
  uint64_t regular_frames = 0;  // frames before the final one
  uint64_t final_content = 0;   // plaintext bytes in the final frame
  uint64_t plaintext_size = 0;
};

// ComputeFrameLayout solves body_size = n * (L + 32) + 40 + c with
// 0 <= c <= L. Returns false when no such layout exists.
bool ComputeFrameLayout(uint64_t body_size, uint32_t frame_length, FrameLayout* layout);

}  // namespace envelope::message

#endif  // ENVELOPE_LIB_MESSAGE_FRAME_H_
