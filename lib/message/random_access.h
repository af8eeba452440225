// lib/message: random-access decryption of unsigned v2 framed messages.
//
// With the header size H, frame length L and message size S, every frame
// sits at a computable offset:
//
//   offset(i) = H + i * (L + 32)            for regular frames i = 0 .. n-1
//   final     = H + n * (L + 32), 40 + c bytes, c = S - H - n(L+32) - 40
//
// so plaintext byte p lives in frame p / L. New authenticates the header
// and the final frame (whose sequence number n + 1 and length c are bound
// into its tag, so a truncated or extended message fails up front); ReadAt
// authenticates every frame it touches. Signed messages are refused: a
// range cannot be checked against a signature over the whole message.
#ifndef ENVELOPE_LIB_MESSAGE_RANDOM_ACCESS_H_
#define ENVELOPE_LIB_MESSAGE_RANDOM_ACCESS_H_

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "envelope/error.hpp"
#include "envelope/materials.hpp"
#include "envelope/message.hpp"
#include "message/frame.h"
#include "stream/chunk_engine.h"

namespace envelope::message {

// RandomAccessReader implements RandomAccessDecryptor.
class RandomAccessReader final : public RandomAccessDecryptor {
 public:
  // New reads and authenticates the header and final frame of `source`.
  // Fails with `unsupported` for signed, v1 or non-framed messages,
  // `invalid_argument` when the size fits no frame layout.
  [[nodiscard]] static Result<std::unique_ptr<RandomAccessReader>> New(
      PositionedSource& source, const CryptoMaterialsManager& cmm, const DecryptOptions& options);
  uint64_t plaintext_size() const override { return layout_.plaintext_size; }
  Result<size_t> ReadAt(uint64_t offset, std::span<uint8_t> out) override;
  const HeaderInfo& header() const override { return info_; }

 private:
  explicit RandomAccessReader(PositionedSource& source) : source_(source) {}
  // OpenFrames authenticates frames [first, first + count) into plain_.
  Result<void> OpenFrames(uint64_t first, uint64_t count);

  PositionedSource& source_;
  HeaderInfo info_;
  uint64_t header_size_ = 0;
  uint32_t frame_length_ = 0;
  FrameLayout layout_;
  std::unique_ptr<FrameSchedule> schedule_;
  std::unique_ptr<stream::ChunkEngine> engine_;
  size_t batch_frames_ = 1;
  std::vector<uint8_t> raw_;    // frames as read
  std::vector<uint8_t> plain_;  // frames opened
  std::vector<stream::ChunkJob> jobs_;
};

}  // namespace envelope::message

#endif  // ENVELOPE_LIB_MESSAGE_RANDOM_ACCESS_H_
