// lib/message: Decryptor::UpdateFrom, a message read at positions (a
// regular file), with the engine's threads reading the frames they open.
//
// Past its header, an unsigned framed message is a run of regular frames of
// one size (sequence number, IV, ciphertext, tag: frame length + 32 bytes)
// and then the final frame (40 bytes + 0 .. frame length bytes). A frame
// that lies wholly inside the given range with at least 40 more bytes of
// the range after it is therefore a regular frame in any valid message. A
// batch of such frames is read by the threads that open them (ReadAtV:
// sequence number and IV into a small array, the ciphertext where its
// plaintext goes, the tag beside), each thread checking the sequence
// numbers and IVs of its frames, then opening them in place; nothing is
// released before the whole batch verified. Everything else (the header,
// the last frames of each range, the final frame, signed and non-framed
// messages) goes through Update, read on the calling thread.
#include <algorithm>
#include <array>
#include <limits>

#include "message/decryptor.h"
#include "message/wire.h"

namespace envelope::message {
namespace {

// kHeadSize is a regular frame's sequence number and IV.
constexpr size_t kHeadSize = kSeqSize + kFrameIvSize;
// Read in turn: the header in pieces of this size, and signed or
// non-framed messages in pieces of kPieceSize.
constexpr size_t kHeaderPieceSize = size_t{64} << 10;
constexpr size_t kPieceSize = size_t{4} << 20;

tl::unexpected<Error> EndedEarly() {
  return MakeError(ErrorCode::io,
                   "decrypt: the input ended early (did it shrink while it was read?)");
}

// FrameAtLoader reads regular frames from `source` for the engine: frame
// `first_index` starts at `offset`, every frame is `frame_size` bytes, and
// frame first_index + k keeps its sequence number and IV in
// heads[k * kHeadSize, (k + 1) * kHeadSize).
class FrameAtLoader final : public stream::ChunkLoader {
 public:
  FrameAtLoader(PositionedSource& source, uint64_t offset, uint64_t first_index,
                uint64_t frame_size, std::span<uint8_t> heads)
      : source_(source),
        offset_(offset),
        first_index_(first_index),
        frame_size_(frame_size),
        heads_(heads) {}

  Result<void> Load(std::span<const stream::ChunkJob> jobs) noexcept override {
    // Three spans per frame; 21 frames make 63, one preadv(2) (at most 64).
    constexpr size_t kGroup = 21;
    try {
      std::array<std::span<uint8_t>, 3 * kGroup> spans;
      while (!jobs.empty()) {
        const size_t count = std::min(jobs.size(), kGroup);
        size_t want = 0;
        for (size_t i = 0; i < count; ++i) {
          const size_t k = static_cast<size_t>(jobs[i].index - first_index_);
          spans[3 * i] = heads_.subspan(k * kHeadSize, kHeadSize);
          spans[3 * i + 1] = jobs[i].out;
          spans[3 * i + 2] = jobs[i].tag;
          want += kHeadSize + jobs[i].out.size() + jobs[i].tag.size();
        }
        const uint64_t at = offset_ + (jobs[0].index - first_index_) * frame_size_;
        auto n = source_.ReadAtV(at, std::span(spans.data(), 3 * count));
        ENVELOPE_RETURN_IF_ERROR(n);
        if (*n != want) return EndedEarly();
        for (size_t i = 0; i < count; ++i) {
          ENVELOPE_RETURN_IF_ERROR(CheckHead(spans[3 * i], jobs[i].index + 1));
        }
        jobs = jobs.subspan(count);
      }
      return {};
    } catch (...) {  // std::bad_alloc building an error message
      return MakeError(ErrorCode::internal, "decrypt: out of memory while reading the input");
    }
  }

 private:
  // CheckHead fails unless `head` is regular frame `seq`'s: its sequence
  // number and deterministic IV. A final frame here has more input after
  // it than it can hold.
  static Result<void> CheckHead(std::span<const uint8_t> head, uint64_t seq) {
    Reader r(head);
    auto got = r.U32();
    ENVELOPE_RETURN_IF_ERROR(got);
    if (*got == kFinalFrameMarker) {
      return MakeError(ErrorCode::malformed,
                       "decrypt: bytes follow the end of the message (a final frame with more "
                       "input after it)");
    }
    uint8_t iv[kFrameIvSize];
    FrameIv(static_cast<uint32_t>(seq), iv);
    if (*got != seq || !std::equal(iv, iv + kFrameIvSize, head.begin() + kSeqSize)) {
      return AuthFailed();  // reordered, dropped or repeated, as Update says
    }
    return {};
  }

  PositionedSource& source_;
  const uint64_t offset_;
  const uint64_t first_index_;
  const uint64_t frame_size_;
  const std::span<uint8_t> heads_;
};

}  // namespace

Result<void> Decryptor::OpenFramesAt(PositionedSource& source, uint64_t offset, size_t count) {
  if (next_seq_ + count - 1 > kMaxSequenceNumber) {
    return MakeError(ErrorCode::malformed, "decrypt: more than 2^32 - 2 frames");
  }
  const size_t frame = frame_length_;
  const size_t plain_size = count * frame;
  // Open straight into the sink's memory when it offers some; it is
  // committed only after every frame of the batch authenticated.
  std::span<uint8_t> dst = sink_.Reserve(plain_size);
  const bool direct = dst.size() == plain_size && plain_size > 0;
  if (!direct) {
    plain_.resize(std::max(plain_.size(), plain_size));
    dst = std::span(plain_).first(plain_size);
  }
  heads_.resize(count * kHeadSize);
  tags_.resize(count * kFrameTagSize);
  jobs_.clear();
  for (size_t i = 0; i < count; ++i) {
    const auto slot = dst.subspan(i * frame, frame);
    jobs_.push_back({next_seq_ - 1 + i, false, slot, slot,
                     std::span(tags_).subspan(i * kFrameTagSize, kFrameTagSize)});
  }
  FrameAtLoader loader(source, offset, next_seq_ - 1, frame + kRegularFrameOverhead, heads_);
  if (auto r = engine_->Open(jobs_, nullptr, nullptr, &loader); !r) {
    SecureZero(dst);  // the engine wiped it too; a load failure may leave ciphertext
    if (direct) (void)sink_.Commit(0);
    if (r.error().code() == ErrorCode::auth_failed) return AuthFailed();
    return r;
  }
  next_seq_ += count;
  return direct ? sink_.Commit(plain_size) : Release(dst);
}

Result<void> Decryptor::UpdateFrom(PositionedSource& source, uint64_t offset, uint64_t length) {
  if (error_) return tl::unexpected(*error_);
  if (offset > std::numeric_limits<uint64_t>::max() - length) {
    return Fail(Error(ErrorCode::invalid_argument, "decrypt: input range out of bounds"));
  }
  while (length > 0) {
    const uint64_t frame = uint64_t{frame_length_} + kRegularFrameOverhead;
    if (state_ == State::frames && pending_.empty() && !verifier_ &&
        length >= frame + kFinalFrameOverhead) {
      const size_t count = static_cast<size_t>(
          std::min<uint64_t>(batch_frames_, (length - kFinalFrameOverhead) / frame));
      if (auto r = OpenFramesAt(source, offset, count); !r) return Fail(r.error());
      offset += count * frame;
      length -= count * frame;
      continue;
    }
    // Read in turn: a piece of the header; what completes the frame begun
    // in pending_ (so the next batch starts on a frame boundary); the last
    // frames of the range; or a piece of a signed or non-framed message.
    uint64_t want = kPieceSize;
    if (state_ == State::header) {
      want = kHeaderPieceSize;
    } else if (state_ == State::frames && !verifier_) {
      want = pending_.size() < frame ? frame - pending_.size() : kPieceSize;
      if (pending_.empty()) want = length;  // under a frame + 40 bytes here
    }
    piece_.resize(static_cast<size_t>(std::min(want, length)));
    if (auto r = ReadExactAt(source, offset, piece_); !r) {
      return Fail(r.error().code() == ErrorCode::truncated ? EndedEarly().value() : r.error());
    }
    ENVELOPE_RETURN_IF_ERROR(Update(piece_));
    offset += piece_.size();
    length -= piece_.size();
  }
  return {};
}

}  // namespace envelope::message
