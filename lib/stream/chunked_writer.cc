// Chunked encryption as a stream: push (ChunkedEncryptor), pull
// (ChunkedEncryptingReader) and Source-to-Sink (PumpChunkedEncrypt).
//
// Both keep one plaintext staging buffer of a batch of chunks (the push
// encryptor only once a write leaves part of a chunk: whole chunks are
// sealed straight from the caller's buffer) and one sealed buffer laid out
// as the ciphertext (the header slot, then 16400-byte chunk slots), so a
// batch is sealed by the engine and leaves in one Sink write. Neither is
// zero-filled (ByteBuffer).
// A full chunk is never the final one (the final chunk is always short), so
// full chunks are sealed as soon as they are complete and nothing is ever
// held back waiting to learn where the message ends.
#include <algorithm>
#include <cstring>
#include <utility>

#include "stream/byte_buffer.h"
#include "stream/chunked_streams.h"

namespace envelope::stream {
namespace {

// Sealer owns the cipher, the buffers and the chunk counter of one message.
class Sealer {
 public:
  static Result<Sealer> New(const ChunkedKeying& keying) {
    Sealer s;
    s.header_size_ = keying.header_size();
    uint8_t header[kC2spHeaderSize];
    auto cipher =
        ChunkedCipher::ForSealing(keying, std::span(header).first(s.header_size_), kNoChunkHint);
    ENVELOPE_RETURN_IF_ERROR(cipher);
    s.cipher_ = std::move(*cipher);
    s.sealed_ = ByteBuffer(s.header_size_ + s.cipher_->batch_chunks() * kC2spSealedChunkSize);
    std::memcpy(s.sealed_.data(), header, s.header_size_);
    return s;
  }

  // batch_bytes is the most plaintext one Seal takes.
  size_t batch_bytes() const noexcept { return cipher_->batch_chunks() * kC2spChunkSize; }

  // staging is a batch of plaintext, for writes that are not whole chunks
  // (made on first use: a writer of whole chunks never needs it).
  std::span<uint8_t> staging() {
    if (staging_.empty()) staging_ = ByteBuffer(batch_bytes());
    return staging_.span();
  }

  // Seal seals `plaintext` (whole chunks, plus the final short chunk when
  // `final`; at most one batch) and returns the bytes to emit, the header
  // included the first time.
  Result<std::span<const uint8_t>> Seal(std::span<const uint8_t> plaintext, bool final) {
    const size_t chunks = plaintext.size() / kC2spChunkSize + (final ? 1 : 0);
    const size_t size = plaintext.size() + chunks * kTagSize;
    auto out = sealed_.span().subspan(header_size_, size);
    ENVELOPE_RETURN_IF_ERROR(cipher_->Seal(next_index_, plaintext, final, out));
    next_index_ += chunks;
    const size_t from = header_sent_ ? header_size_ : 0;
    header_sent_ = true;
    return std::as_const(sealed_).span().subspan(from, header_size_ + size - from);
  }

 private:
  Sealer() = default;
  size_t header_size_ = 0;
  bool header_sent_ = false;
  uint64_t next_index_ = 0;
  std::unique_ptr<ChunkedCipher> cipher_;
  ByteBuffer staging_;
  ByteBuffer sealed_;  // the header slot, then a batch of sealed chunks
};

Result<void> Finished() {
  return MakeError(ErrorCode::invalid_argument, "chunked: the message is already finished");
}

class Encryptor final : public ChunkedEncryptor {
 public:
  Encryptor(Sealer sealer, Sink& sink) : sealer_(std::move(sealer)), sink_(sink) {}

  Result<void> Write(std::span<const uint8_t> data) override {
    if (!state_) return state_;
    if (finished_) return Finished();
    while (!data.empty()) {
      if (staged_ == 0 && data.size() >= kC2spChunkSize) {
        // Whole chunks straight from the caller's buffer: no copy.
        const size_t n =
            std::min(data.size() / kC2spChunkSize * kC2spChunkSize, sealer_.batch_bytes());
        if (!Emit(data.first(n), false)) return state_;
        data = data.subspan(n);
        continue;
      }
      const auto staging = sealer_.staging();
      const size_t n = std::min(staging.size() - staged_, data.size());
      std::memcpy(staging.data() + staged_, data.data(), n);
      staged_ += n;
      data = data.subspan(n);
      if (staged_ == staging.size()) {
        staged_ = 0;
        if (!Emit(staging, false)) return state_;
      }
    }
    return {};
  }

  Result<void> Finish() override {
    if (!state_) return state_;
    if (finished_) return Finished();
    finished_ = true;
    const auto rest = staged_ == 0 ? std::span<const uint8_t>() : sealer_.staging().first(staged_);
    if (!Emit(rest, true)) return state_;
    staged_ = 0;
    return {};
  }

 private:
  // Emit seals and writes; a failure becomes the sticky state.
  bool Emit(std::span<const uint8_t> plaintext, bool final) {
    auto out = sealer_.Seal(plaintext, final);
    if (out)
      state_ = sink_.Write(*out);
    else
      state_ = tl::unexpected(out.error());
    return state_.has_value();
  }

  Sealer sealer_;
  Sink& sink_;
  size_t staged_ = 0;
  bool finished_ = false;
  Result<void> state_;
};

class EncryptingReader final : public ChunkedEncryptingReader {
 public:
  EncryptingReader(Sealer sealer, Source& source) : sealer_(std::move(sealer)), source_(source) {}

  Result<size_t> Read(std::span<uint8_t> out) override {
    ENVELOPE_RETURN_IF_ERROR(state_);
    if (out.empty()) return 0;
    if (pending_.empty()) {
      if (done_) return 0;
      ENVELOPE_RETURN_IF_ERROR(Refill());
    }
    const size_t n = std::min(out.size(), pending_.size());
    std::memcpy(out.data(), pending_.data(), n);
    pending_ = pending_.subspan(n);
    return n;
  }

  // Refill reads a batch of plaintext and seals it into pending_. A short
  // read means the source ended: the batch ends with the final chunk.
  Result<void> Refill() {
    auto staging = sealer_.staging();
    auto n = ReadFull(source_, staging);
    if (n) {
      const bool final = *n < staging.size();
      auto sealed = sealer_.Seal(staging.first(*n), final);
      if (sealed) {
        pending_ = *sealed;
        done_ = final;
        total_ += *n;
        return {};
      }
      state_ = tl::unexpected(sealed.error());
    } else {
      state_ = tl::unexpected(n.error());
    }
    return state_;
  }

  bool done() const noexcept { return done_; }
  std::span<const uint8_t> TakePending() noexcept { return std::exchange(pending_, {}); }
  uint64_t total() const noexcept { return total_; }

 private:
  Sealer sealer_;
  Source& source_;
  std::span<const uint8_t> pending_;
  bool done_ = false;
  uint64_t total_ = 0;
  Result<void> state_;
};

}  // namespace

Result<std::unique_ptr<ChunkedEncryptor>> NewChunkedEncryptor(const ChunkedKeying& keying,
                                                              Sink& ciphertext) {
  auto sealer = Sealer::New(keying);
  ENVELOPE_RETURN_IF_ERROR(sealer);
  return std::make_unique<Encryptor>(std::move(*sealer), ciphertext);
}

Result<std::unique_ptr<ChunkedEncryptingReader>> NewChunkedEncryptingReader(
    const ChunkedKeying& keying, Source& plaintext) {
  auto sealer = Sealer::New(keying);
  ENVELOPE_RETURN_IF_ERROR(sealer);
  return std::make_unique<EncryptingReader>(std::move(*sealer), plaintext);
}

Result<uint64_t> PumpChunkedEncrypt(const ChunkedKeying& keying, Source& plaintext,
                                    Sink& ciphertext) {
  auto sealer = Sealer::New(keying);
  ENVELOPE_RETURN_IF_ERROR(sealer);
  EncryptingReader reader(std::move(*sealer), plaintext);
  while (!reader.done()) {
    ENVELOPE_RETURN_IF_ERROR(reader.Refill());
    ENVELOPE_RETURN_IF_ERROR(ciphertext.Write(reader.TakePending()));
  }
  return reader.total();
}

}  // namespace envelope::stream

namespace envelope {

using stream::MakeC2spKeying;

Result<std::unique_ptr<ChunkedEncryptor>> ChunkedEncryptor::New(KeyView key, Sink& ciphertext,
                                                                const ChunkedOptions& options) {
  auto keying = MakeC2spKeying(key.bytes(), options);
  ENVELOPE_RETURN_IF_ERROR(keying);
  return stream::NewChunkedEncryptor(std::move(*keying), ciphertext);
}

Result<std::unique_ptr<ChunkedEncryptingReader>> ChunkedEncryptingReader::New(
    KeyView key, Source& plaintext, const ChunkedOptions& options) {
  auto keying = MakeC2spKeying(key.bytes(), options);
  ENVELOPE_RETURN_IF_ERROR(keying);
  return stream::NewChunkedEncryptingReader(std::move(*keying), plaintext);
}

Result<uint64_t> ChunkedEncryptStream(KeyView key, Source& plaintext, Sink& ciphertext,
                                      const ChunkedOptions& options) {
  auto keying = MakeC2spKeying(key.bytes(), options);
  ENVELOPE_RETURN_IF_ERROR(keying);
  return stream::PumpChunkedEncrypt(std::move(*keying), plaintext, ciphertext);
}

}  // namespace envelope
