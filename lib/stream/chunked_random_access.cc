// Chunked decryption of any range of a message read through a
// PositionedSource. A range maps to chunks [offset / 16384, (end - 1) / 16384];
// chunk k sits at header + k * 16400, so only those bytes are read (one pread
// per batch of chunks) and verified.
//
// The message length is only a claim of the ciphertext length until the
// final chunk verifies: the final chunk is checked (once, remembered) before
// anything is said about the end of the message.
#include <algorithm>
#include <cstring>
#include <limits>

#include "stream/chunked_streams.h"

namespace envelope::stream {
namespace {

class RandomAccess final : public ChunkedRandomAccessReader {
 public:
  RandomAccess(std::unique_ptr<ChunkedCipher> cipher, PositionedSource& source, size_t header_size,
               uint64_t ciphertext_size)
      : cipher_(std::move(cipher)), source_(source), header_size_(header_size) {
    const uint64_t body = ciphertext_size - header_size;
    full_chunks_ = body / kC2spSealedChunkSize;
    final_sealed_ = body % kC2spSealedChunkSize;
    shape_ok_ = final_sealed_ >= kTagSize && full_chunks_ < kC2spMaxChunks;
    // Without a possible final chunk, only the whole chunks present can be read.
    readable_ = full_chunks_ * kC2spChunkSize + (shape_ok_ ? final_sealed_ - kTagSize : 0);
  }

  Result<size_t> ReadAt(uint64_t offset, std::span<uint8_t> out) override {
    auto r = DoReadAt(offset, out);
    if (!r) SecureZero(out);
    return r;
  }

  Result<uint64_t> Size() override {
    ENVELOPE_RETURN_IF_ERROR(AuthenticateLength());
    return readable_;
  }

  Result<size_t> Read(std::span<uint8_t> out) override {
    ENVELOPE_RETURN_IF_ERROR(cursor_state_);
    auto n = ReadAt(cursor_, out);
    if (!n) {
      cursor_state_ = tl::unexpected(n.error());
      return n;
    }
    cursor_ += *n;
    return n;
  }

  Result<uint64_t> Seek(int64_t offset, Whence whence) override {
    uint64_t base = 0;
    if (whence == Whence::kCurrent) base = cursor_;
    if (whence == Whence::kEnd) {
      auto size = Size();  // a seek from the end needs an authenticated end
      if (!size) return size;
      base = *size;
    }
    // |offset| without overflowing on INT64_MIN.
    const uint64_t magnitude =
        offset < 0 ? static_cast<uint64_t>(-(offset + 1)) + 1 : static_cast<uint64_t>(offset);
    if (offset < 0 ? magnitude > base : magnitude > std::numeric_limits<uint64_t>::max() - base) {
      return MakeError(ErrorCode::invalid_argument,
                       "chunked: seek to a position before 0 or past 2^64 - 1");
    }
    cursor_ = offset < 0 ? base - magnitude : base + magnitude;
    return cursor_;
  }

  uint64_t Tell() const noexcept override { return cursor_; }

 private:
  Result<size_t> DoReadAt(uint64_t offset, std::span<uint8_t> out) {
    if (out.empty()) return 0;
    const uint64_t want_end = out.size() > std::numeric_limits<uint64_t>::max() - offset
                                  ? std::numeric_limits<uint64_t>::max()
                                  : offset + out.size();
    if (want_end > readable_) {
      // The range reaches past the end the ciphertext claims: that end has to
      // be authentic before we return fewer bytes than asked.
      ENVELOPE_RETURN_IF_ERROR(AuthenticateLength());
    }
    if (offset >= readable_) return 0;
    const uint64_t end = std::min(want_end, readable_);
    const uint64_t last_chunk = (end - 1) / kC2spChunkSize;
    uint64_t chunk = offset / kC2spChunkSize;
    size_t written = 0;
    while (chunk <= last_chunk) {
      const uint64_t n = std::min<uint64_t>(cipher_->batch_chunks(), last_chunk - chunk + 1);
      auto plain = OpenChunks(chunk, n);
      ENVELOPE_RETURN_IF_ERROR(plain);
      // Copy the part of these chunks that the range covers.
      const uint64_t first_byte = chunk * kC2spChunkSize;
      const uint64_t from = std::max(offset, first_byte);
      const uint64_t to = std::min(end, first_byte + plain->size());
      std::memcpy(out.data() + written, plain->data() + (from - first_byte), to - from);
      written += to - from;
      chunk += n;
    }
    return written;
  }

  // OpenChunks reads and verifies chunks [first, first + n) into plain_.
  Result<std::span<const uint8_t>> OpenChunks(uint64_t first, uint64_t n) {
    const bool final = first + n == full_chunks_ + 1;  // only when the shape allows one
    const size_t sealed_size = static_cast<size_t>((final ? n - 1 : n) * kC2spSealedChunkSize +
                                                   (final ? final_sealed_ : 0));
    if (sealed_.size() < sealed_size) sealed_.resize(sealed_size);
    auto sealed = std::span(sealed_).first(sealed_size);
    auto got = source_.ReadAt(header_size_ + first * kC2spSealedChunkSize, sealed);
    ENVELOPE_RETURN_IF_ERROR(got);
    if (*got != sealed_size) {
      return MakeError(ErrorCode::truncated, "chunked: ciphertext shorter than it was when opened");
    }
    auto plain_size = ChunkedCipher::OpenedRunSize(sealed_size, final);
    ENVELOPE_RETURN_IF_ERROR(plain_size);
    if (plain_.size() < *plain_size) plain_.resize(*plain_size);
    auto plain = std::span(plain_).first(*plain_size);
    ENVELOPE_RETURN_IF_ERROR(cipher_->Open(first, sealed, final, plain));
    if (final) {  // the final chunk verified: the end is real
      length_state_ = Result<void>();
      length_checked_ = true;
    }
    return std::span<const uint8_t>(plain);
  }

  Result<void> AuthenticateLength() {
    if (length_checked_) return length_state_;
    length_checked_ = true;
    if (!shape_ok_) {
      if (full_chunks_ >= kC2spMaxChunks) {
        length_state_ = MakeError(ErrorCode::limit_exceeded,
                                  "chunked: message longer than 2^38 chunks (4 PiB)");
      } else if (auto size = ChunkedCipher::OpenedRunSize(final_sealed_, true); !size) {
        length_state_ = tl::unexpected(size.error());  // the truncation error
      }
      return length_state_;
    }
    auto plain = OpenChunks(full_chunks_, 1);
    if (!plain) length_state_ = tl::unexpected(plain.error());
    return length_state_;
  }

  std::unique_ptr<ChunkedCipher> cipher_;
  PositionedSource& source_;
  size_t header_size_;
  uint64_t full_chunks_ = 0;
  uint64_t final_sealed_ = 0;  // size of the sealed final chunk the length implies
  bool shape_ok_ = false;
  uint64_t readable_ = 0;  // plaintext bytes the ciphertext length claims
  bool length_checked_ = false;
  Result<void> length_state_;
  uint64_t cursor_ = 0;
  Result<void> cursor_state_;
  std::vector<uint8_t> sealed_;  // grows to at most one batch, then is reused
  std::vector<uint8_t> plain_;
};

}  // namespace

Result<std::unique_ptr<ChunkedRandomAccessReader>> NewChunkedRandomAccessReader(
    const ChunkedKeying& keying, PositionedSource& ciphertext) {
  auto size = ciphertext.Size();
  ENVELOPE_RETURN_IF_ERROR(size);
  const size_t header_size = keying.header_size();
  if (*size < header_size) {
    return MakeError(ErrorCode::truncated, "chunked: ciphertext shorter than its 56-byte header");
  }
  uint8_t header[kC2spHeaderSize];
  auto header_span = std::span(header).first(header_size);
  auto got = ciphertext.ReadAt(0, header_span);
  ENVELOPE_RETURN_IF_ERROR(got);
  const uint64_t chunk_hint = (*size - header_size) / kC2spSealedChunkSize + 1;
  auto cipher = ChunkedCipher::ForOpening(keying, header_span.first(*got), chunk_hint);
  ENVELOPE_RETURN_IF_ERROR(cipher);
  return std::make_unique<RandomAccess>(std::move(*cipher), ciphertext, header_size, *size);
}

}  // namespace envelope::stream

namespace envelope {

Result<std::unique_ptr<ChunkedRandomAccessReader>> ChunkedRandomAccessReader::New(
    KeyView key, PositionedSource& ciphertext, const ChunkedOptions& options) {
  auto keying = stream::MakeC2spKeying(key.bytes(), options);
  ENVELOPE_RETURN_IF_ERROR(keying);
  return stream::NewChunkedRandomAccessReader(std::move(*keying), ciphertext);
}

}  // namespace envelope
