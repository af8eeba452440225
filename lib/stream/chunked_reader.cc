// Chunked decryption as a stream: push (ChunkedDecryptor), pull
// (ChunkedDecryptingReader) and Source-to-Sink (PumpChunkedDecrypt).
//
// The header is checked (commitment, constant time) before any chunk is
// opened. Then sealed chunks are gathered a batch at a time and opened by
// the engine into a plaintext buffer that is released only when the whole
// batch verified. Since a message ends with a short chunk and the nonce does
// not say which chunk is final, full chunks are opened as soon as they are
// complete; the end of the input decides whether the last chunk held back
// is a valid short final chunk or the message was truncated.
#include <algorithm>
#include <cstring>
#include <optional>
#include <utility>

#include "stream/byte_buffer.h"
#include "stream/chunked_streams.h"

namespace envelope::stream {
namespace {

// Opener owns the cipher, the buffers and the chunk counter of one message.
class Opener {
 public:
  static Result<Opener> New(const ChunkedKeying& keying, std::span<const uint8_t> header) {
    Opener o;
    auto cipher = ChunkedCipher::ForOpening(keying, header, kNoChunkHint);
    ENVELOPE_RETURN_IF_ERROR(cipher);
    o.cipher_ = std::move(*cipher);
    o.staging_ = ByteBuffer(o.cipher_->batch_chunks() * kC2spSealedChunkSize);
    return o;
  }

  std::span<uint8_t> staging() noexcept { return staging_.span(); }

  // spare is a second buffer of the staging size (made on first use): the
  // pull reader reads the next batch into it while the current one is
  // opened. SwapStaging makes it the staging buffer and the old one spare.
  std::span<uint8_t> spare() {
    if (spare_.empty()) spare_ = ByteBuffer(staging_.size());
    return spare_.span();
  }
  void SwapStaging() noexcept { staging_.swap(spare_); }

  // DirectChunks returns how many chunks to open straight into a caller's
  // buffer of `size` bytes: 0 when it is too small to keep every thread
  // busy (at least 4 chunks each, or a whole batch), so the copy is cheaper.
  size_t DirectChunks(size_t size) const noexcept {
    const size_t batch = cipher_->batch_chunks();
    const size_t fit = std::min(batch, size / kC2spChunkSize);
    return fit >= std::min<size_t>(batch, 4 * size_t{cipher_->threads()}) ? fit : 0;
  }

  // Open opens `sealed` (whole chunks, plus the final chunk when `final`; at
  // most one batch) into `out` (default: the internal buffer) and returns
  // the verified plaintext.
  Result<std::span<const uint8_t>> Open(std::span<const uint8_t> sealed, bool final,
                                        std::span<uint8_t> out = {}, SideTask* side = nullptr) {
    auto size = ChunkedCipher::OpenedRunSize(sealed.size(), final);
    ENVELOPE_RETURN_IF_ERROR(size);
    if (out.empty()) {
      // The internal plaintext buffer, made on first use: a pull reader
      // whose reads are large opens straight into the caller's buffer.
      if (plain_.empty()) plain_ = ByteBuffer(cipher_->batch_chunks() * kC2spChunkSize);
      out = plain_.span();
    }
    out = out.first(*size);
    ENVELOPE_RETURN_IF_ERROR(cipher_->Open(next_index_, sealed, final, out, side));
    next_index_ += sealed.size() / kC2spSealedChunkSize + (final ? 1 : 0);
    return std::span<const uint8_t>(out);
  }

 private:
  Opener() = default;
  uint64_t next_index_ = 0;
  std::unique_ptr<ChunkedCipher> cipher_;
  ByteBuffer staging_;  // not zero-filled: see byte_buffer.h
  ByteBuffer spare_;
  ByteBuffer plain_;
};

Result<void> Finished() {
  return MakeError(ErrorCode::invalid_argument, "chunked: the message is already finished");
}

class Decryptor final : public ChunkedDecryptor {
 public:
  Decryptor(ChunkedKeying keying, Sink& sink) : keying_(std::move(keying)), sink_(sink) {}

  // Start builds the opener at once when there is no header (raw mode).
  Result<void> Start() {
    if (keying_.header_size() != 0) return {};
    return StartOpener();
  }

  Result<void> Write(std::span<const uint8_t> data) override {
    if (!state_) return state_;
    if (finished_) return Finished();
    if (!opener_) {
      const size_t n = std::min(keying_.header_size() - header_have_, data.size());
      std::memcpy(header_ + header_have_, data.data(), n);
      header_have_ += n;
      data = data.subspan(n);
      if (header_have_ < keying_.header_size()) return {};
      if (state_ = StartOpener(); !state_) return state_;
    }
    auto staging = opener_->staging();
    while (!data.empty()) {
      if (staged_ == 0 && data.size() >= kC2spSealedChunkSize) {
        // Whole chunks straight from the caller's buffer: no copy.
        const size_t n =
            std::min(data.size() / kC2spSealedChunkSize * kC2spSealedChunkSize, staging.size());
        if (!Emit(data.first(n), false)) return state_;
        data = data.subspan(n);
        continue;
      }
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
    if (!opener_) {
      state_ =
          MakeError(ErrorCode::truncated, "chunked: ciphertext shorter than its 56-byte header");
      return state_;
    }
    if (!Emit(opener_->staging().first(staged_), true)) return state_;
    finished_ = true;
    return {};
  }

 private:
  Result<void> StartOpener() {
    auto opener = Opener::New(keying_, std::span<const uint8_t>(header_, keying_.header_size()));
    ENVELOPE_RETURN_IF_ERROR(opener);
    opener_.emplace(std::move(*opener));
    keying_.key = SecretBytes();  // the message key now lives in the engine only
    return {};
  }

  // Emit opens and writes; a failure becomes the sticky state.
  bool Emit(std::span<const uint8_t> sealed, bool final) {
    auto plain = opener_->Open(sealed, final);
    if (plain)
      state_ = sink_.Write(*plain);
    else
      state_ = tl::unexpected(plain.error());
    return state_.has_value();
  }

  ChunkedKeying keying_;
  Sink& sink_;
  uint8_t header_[kC2spHeaderSize] = {};
  size_t header_have_ = 0;
  std::optional<Opener> opener_;
  size_t staged_ = 0;
  bool finished_ = false;
  Result<void> state_;
};

// ReadBatch reads a batch of sealed chunks from the source on the calling
// thread as the side task of an Open: the next batch is read while the
// workers open the current one (the Open waits for both).
class ReadBatch final : public SideTask {
 public:
  ReadBatch(Source& source, std::span<uint8_t> buffer) : source_(source), buffer_(buffer) {}
  void Run() noexcept override {
    try {
      result_ = ReadFull(source_, buffer_);
    } catch (...) {  // std::bad_alloc building an error message
      result_ = MakeError(ErrorCode::internal, "chunked: out of memory while reading");
    }
  }
  // result is what the read gave, or nullopt when it did not run.
  std::optional<Result<size_t>>& result() noexcept { return result_; }

 private:
  Source& source_;
  std::span<uint8_t> buffer_;
  std::optional<Result<size_t>> result_;
};

class DecryptingReader final : public ChunkedDecryptingReader {
 public:
  DecryptingReader(Opener opener, Source& source) : opener_(std::move(opener)), source_(source) {}

  Result<size_t> Read(std::span<uint8_t> out) override {
    ENVELOPE_RETURN_IF_ERROR(state_);
    if (out.empty()) return 0;
    if (pending_.empty()) {
      if (done_) return 0;
      if (const size_t direct = opener_.DirectChunks(out.size()); direct > 0) {
        // A large read: open straight into the caller's buffer, no copy.
        ENVELOPE_RETURN_IF_ERROR(Refill(direct, out));
        return std::exchange(pending_, {}).size();
      }
      ENVELOPE_RETURN_IF_ERROR(Refill());
    }
    const size_t n = std::min(out.size(), pending_.size());
    std::memcpy(out.data(), pending_.data(), n);
    pending_ = pending_.subspan(n);
    return n;
  }

  // Refill opens up to `chunks` sealed chunks (default: a batch) into `out`
  // (default: the internal buffer); pending_ is then the plaintext. Sealed
  // chunks are read a batch at a time: the first batch on the calling
  // thread, every later one while the batch before it is opened (a
  // ReadBatch side task into the spare buffer), so reading the source
  // overlaps with the AES work of the other threads. A short read means
  // the source ended: what was read then ends with the final chunk.
  Result<void> Refill(size_t chunks = 0, std::span<uint8_t> out = {}) {
    if (sealed_.empty() && !ended_) {
      std::optional<Result<size_t>> n = std::exchange(ahead_, std::nullopt);
      if (n) {
        opener_.SwapStaging();
      } else {
        n = ReadFull(source_, opener_.staging());
      }
      if (!*n) return state_ = tl::unexpected(n->error());
      sealed_ = opener_.staging().first(**n);
      ended_ = **n < opener_.staging().size();
    }
    if (chunks == 0) chunks = opener_.staging().size() / kC2spSealedChunkSize;
    // Whole chunks, or the rest of the message when it fits.
    const size_t whole = sealed_.size() / kC2spSealedChunkSize;
    const bool final = ended_ && whole < chunks;
    const size_t take = final ? sealed_.size() : std::min(whole, chunks) * kC2spSealedChunkSize;
    const auto run = sealed_.first(take);
    sealed_ = sealed_.subspan(take);
    std::optional<ReadBatch> next;
    if (sealed_.empty() && !ended_) next.emplace(source_, opener_.spare());
    auto plain = opener_.Open(run, final, out, next ? &*next : nullptr);
    if (next) ahead_ = std::move(next->result());
    if (!plain) return state_ = tl::unexpected(plain.error());
    pending_ = *plain;
    done_ = final;
    total_ += plain->size();
    return {};
  }

  bool done() const noexcept { return done_; }
  std::span<const uint8_t> TakePending() noexcept { return std::exchange(pending_, {}); }
  uint64_t total() const noexcept { return total_; }

 private:
  Opener opener_;
  Source& source_;
  std::span<const uint8_t> sealed_;      // read, not yet opened
  bool ended_ = false;                   // the source ended: sealed_ is the rest
  std::optional<Result<size_t>> ahead_;  // the spare buffer's read, when one ran
  std::span<const uint8_t> pending_;
  bool done_ = false;
  uint64_t total_ = 0;
  Result<void> state_;
};

Result<std::unique_ptr<DecryptingReader>> MakeReader(const ChunkedKeying& keying, Source& source) {
  uint8_t header[kC2spHeaderSize];
  const auto header_span = std::span(header).first(keying.header_size());
  auto n = ReadFull(source, header_span);
  ENVELOPE_RETURN_IF_ERROR(n);
  auto opener = Opener::New(keying, header_span.first(*n));  // a short header fails here
  ENVELOPE_RETURN_IF_ERROR(opener);
  return std::make_unique<DecryptingReader>(std::move(*opener), source);
}

}  // namespace

Result<std::unique_ptr<ChunkedDecryptor>> NewChunkedDecryptor(ChunkedKeying keying,
                                                              Sink& plaintext) {
  auto decryptor = std::make_unique<Decryptor>(std::move(keying), plaintext);
  ENVELOPE_RETURN_IF_ERROR(decryptor->Start());
  return decryptor;
}

Result<std::unique_ptr<ChunkedDecryptingReader>> NewChunkedDecryptingReader(
    const ChunkedKeying& keying, Source& ciphertext) {
  auto reader = MakeReader(keying, ciphertext);
  ENVELOPE_RETURN_IF_ERROR(reader);
  return std::unique_ptr<ChunkedDecryptingReader>(std::move(*reader));
}

Result<uint64_t> PumpChunkedDecrypt(const ChunkedKeying& keying, Source& ciphertext,
                                    Sink& plaintext) {
  auto reader = MakeReader(keying, ciphertext);
  ENVELOPE_RETURN_IF_ERROR(reader);
  while (!(*reader)->done()) {
    ENVELOPE_RETURN_IF_ERROR((*reader)->Refill());
    ENVELOPE_RETURN_IF_ERROR(plaintext.Write((*reader)->TakePending()));
  }
  return (*reader)->total();
}

}  // namespace envelope::stream

namespace envelope {

using stream::MakeC2spKeying;

Result<std::unique_ptr<ChunkedDecryptor>> ChunkedDecryptor::New(KeyView key, Sink& plaintext,
                                                                const ChunkedOptions& options) {
  auto keying = MakeC2spKeying(key.bytes(), options);
  ENVELOPE_RETURN_IF_ERROR(keying);
  return stream::NewChunkedDecryptor(std::move(*keying), plaintext);
}

Result<std::unique_ptr<ChunkedDecryptingReader>> ChunkedDecryptingReader::New(
    KeyView key, Source& ciphertext, const ChunkedOptions& options) {
  auto keying = MakeC2spKeying(key.bytes(), options);
  ENVELOPE_RETURN_IF_ERROR(keying);
  return stream::NewChunkedDecryptingReader(std::move(*keying), ciphertext);
}

Result<uint64_t> ChunkedDecryptStream(KeyView key, Source& ciphertext, Sink& plaintext,
                                      const ChunkedOptions& options) {
  auto keying = MakeC2spKeying(key.bytes(), options);
  ENVELOPE_RETURN_IF_ERROR(keying);
  return stream::PumpChunkedDecrypt(std::move(*keying), ciphertext, plaintext);
}

}  // namespace envelope
