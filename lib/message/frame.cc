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

bool FrameHeader::IvMatches() const {
  uint8_t expected[kFrameIvSize];
  FrameIv(seq, expected);
  return iv.size() == kFrameIvSize && std::equal(iv.begin(), iv.end(), expected);
}

Result<std::optional<FrameHeader>> ParseFrameHeader(std::span<const uint8_t> data,
                                                    uint32_t frame_length) {
  Reader r(data);
  auto first = r.U32();
  if (!first) return std::nullopt;
  FrameHeader h;
  h.final = *first == kFinalFrameMarker;
  h.seq = *first;
  if (h.final) {
    auto seq = r.U32();
    if (!seq) return std::nullopt;
    h.seq = *seq;
  }
  auto iv = r.Bytes(kFrameIvSize);
  if (!iv) return std::nullopt;
  h.iv = *iv;
  h.content_length = frame_length;
  if (h.final) {
    auto length = r.U32();
    if (!length) return std::nullopt;
    if (*length > frame_length) {
      return MakeError(ErrorCode::malformed, "final frame is longer than the frame length");
    }
    h.content_length = *length;
  }
  h.size = r.position();
  return h;
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
