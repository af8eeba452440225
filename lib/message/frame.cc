#include "message/frame.h"

#include <algorithm>
#include <cstring>

#include "message/wire.h"

namespace envelope::message {

void FrameIv(uint32_t seq, std::span<uint8_t, kFrameIvSize> iv) {
  std::fill(iv.begin(), iv.end(), 0);
  PutUint(iv.data() + 8, seq, 4);
}

std::vector<uint8_t> BodyAad(std::span<const uint8_t> message_id, std::string_view content,
                             uint32_t seq, uint64_t length) {
  std::vector<uint8_t> aad(message_id.begin(), message_id.end());
  aad.insert(aad.end(), content.begin(), content.end());
  AppendUint(aad, seq, 4);
  AppendUint(aad, length, 8);
  return aad;
}

size_t FrameSchedule::max_aad_size() const noexcept {
  return message_id_.size() + kSingleBlockString.size() + 4 + 8;
}

size_t FrameSchedule::Params(uint64_t index, bool final, size_t plaintext_size,
                             std::span<uint8_t, stream::kNonceSize> nonce,
                             std::span<uint8_t> aad) const noexcept {
  const uint32_t seq = static_cast<uint32_t>(index + 1);
  FrameIv(seq, nonce);
  const std::string_view content = final ? kFinalFrameString : kFrameString;
  uint8_t* p = aad.data();
  std::memcpy(p, message_id_.data(), message_id_.size());
  p += message_id_.size();
  std::memcpy(p, content.data(), content.size());
  p += content.size();
  PutUint(p, seq, 4);
  PutUint(p + 4, plaintext_size, 8);
  return message_id_.size() + content.size() + 12;
}

bool ComputeFrameLayout(uint64_t body_size, uint32_t frame_length, FrameLayout* layout) {
  if (frame_length == 0 || body_size < kFinalFrameOverhead) return false;
  const uint64_t regular = uint64_t(frame_length) + kRegularFrameOverhead;
  const uint64_t rest = body_size - kFinalFrameOverhead;
  const uint64_t n = rest / regular, c = rest % regular;
  if (c > frame_length || n + 1 > kMaxSequenceNumber) return false;
  layout->regular_frames = n;
  layout->final_content = c;
  layout->plaintext_size = n * frame_length + c;
  return true;
}

}  // namespace envelope::message
