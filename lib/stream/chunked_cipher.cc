#include "stream/chunked_cipher.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "crypto/random.h"

namespace envelope::stream {
namespace {

// A thread is only worth starting for at least this many chunks (256 KiB):
// below that, waking it costs about as much as the AES work it takes over.
constexpr uint64_t kMinChunksPerThread = 16;
// A stream holds two buffers of one batch each. The engine suggests 1 MiB
// per thread; past 16 threads that would grow with the core count, so the
// batch stops at 16 MiB (still at least 4 chunks per thread for the
// engine's 256 threads at most): a stream stays under about 32 MiB.
constexpr size_t kMaxBatchChunks = (size_t{16} << 20) / kC2spChunkSize;
// A one-shot call stages nothing, so its batch is bounded only by the job
// list (64 bytes per 16 KiB chunk): up to 1 GiB per batch, 4 MiB of jobs.
constexpr size_t kInMemoryBatchChunks = (size_t{1} << 30) / kC2spChunkSize;

unsigned ThreadsFor(unsigned requested, uint64_t chunk_hint) {
  unsigned threads = requested != 0 ? requested : UsableCpus();
  if (chunk_hint != kNoChunkHint) {
    const uint64_t useful = std::max<uint64_t>(1, chunk_hint / kMinChunksPerThread);
    threads = static_cast<unsigned>(std::min<uint64_t>(threads, useful));
  }
  return threads;
}

uint64_t ChunkCount(size_t plaintext_size, bool final) {
  return plaintext_size / kC2spChunkSize + (final ? 1 : 0);
}

// Refuse runs `side`, if any (Seal and Open run their side task whatever
// the outcome), and returns `error`: a run refused before any chunk.
tl::unexpected<Error> Refuse(SideTask* side, tl::unexpected<Error> error) {
  if (side != nullptr) side->Run();
  return error;
}

}  // namespace

Result<ChunkedKeying> MakeC2spKeying(std::span<const uint8_t> key, const ChunkedOptions& options) {
  ENVELOPE_RETURN_IF_ERROR(CheckC2spKey(key, options.context));
  auto copy = SecretBytes::CopyFrom(key);
  ENVELOPE_RETURN_IF_ERROR(copy);
  ChunkedKeying keying;
  keying.key = std::move(*copy);
  keying.context = options.context;
  keying.threads = options.threads;
  return keying;
}

Result<ChunkedKeying> MakeRawKeying(std::span<const uint8_t> key,
                                    std::span<const uint8_t> base_nonce, unsigned threads) {
  if (key.size() != kC2spKeySize) {
    return MakeError(ErrorCode::invalid_argument,
                     "chunked raw: key must be 32 bytes, got " + std::to_string(key.size()));
  }
  if (base_nonce.size() != kNonceSize) {
    return MakeError(ErrorCode::invalid_argument, "chunked raw: base nonce must be 12 bytes, got " +
                                                      std::to_string(base_nonce.size()));
  }
  auto copy = SecretBytes::CopyFrom(key);
  ENVELOPE_RETURN_IF_ERROR(copy);
  ChunkedKeying keying;
  keying.raw = true;
  keying.key = std::move(*copy);
  std::copy(base_nonce.begin(), base_nonce.end(), keying.base_nonce.begin());
  keying.threads = threads;
  return keying;
}

Result<std::unique_ptr<ChunkedCipher>> ChunkedCipher::Build(
    std::span<const uint8_t> aead_key, std::span<const uint8_t, kNonceSize> base_nonce,
    const ChunkedKeying& keying, uint64_t chunk_hint) {
  std::unique_ptr<ChunkedCipher> cipher(new ChunkedCipher(base_nonce));
  auto engine =
      ChunkEngine::New(aead_key, cipher->schedule_, ThreadsFor(keying.threads, chunk_hint));
  ENVELOPE_RETURN_IF_ERROR(engine);
  cipher->engine_ = std::move(*engine);
  cipher->batch_chunks_ =
      keying.batch_chunks != 0
          ? keying.batch_chunks
          : std::min(cipher->engine_->BatchChunks(kC2spChunkSize), kMaxBatchChunks);
  cipher->batch_fixed_ = keying.batch_chunks != 0;
  cipher->jobs_.reserve(cipher->batch_chunks_);
  return cipher;
}

void ChunkedCipher::InMemory(uint64_t chunks) {
  if (batch_fixed_) return;
  const uint64_t whole = std::min<uint64_t>(chunks, kInMemoryBatchChunks);
  batch_chunks_ = std::max(batch_chunks_, static_cast<size_t>(whole));
  jobs_.reserve(batch_chunks_);
}

Result<std::unique_ptr<ChunkedCipher>> ChunkedCipher::ForSealing(const ChunkedKeying& keying,
                                                                 std::span<uint8_t> header,
                                                                 uint64_t chunk_hint) {
  if (header.size() != keying.header_size()) {
    return MakeError(ErrorCode::internal, "chunked: header buffer of the wrong size");
  }
  if (keying.raw) return Build(keying.key.span(), keying.base_nonce, keying, chunk_hint);

  std::array<uint8_t, kC2spSaltSize> salt;
  if (keying.salt) {
    salt = *keying.salt;
  } else {
    ENVELOPE_RETURN_IF_ERROR(crypto::RandomBytes(salt));
  }
  auto keys = DeriveC2sp(keying.key.span(), salt, keying.context);
  ENVELOPE_RETURN_IF_ERROR(keys);
  std::memcpy(header.data(), salt.data(), kC2spSaltSize);
  std::memcpy(header.data() + kC2spSaltSize, keys->commitment.data(), kC2spCommitmentSize);
  return Build(keys->aead_key.span(), keys->base_nonce, keying, chunk_hint);
}

Result<std::unique_ptr<ChunkedCipher>> ChunkedCipher::ForOpening(const ChunkedKeying& keying,
                                                                 std::span<const uint8_t> header,
                                                                 uint64_t chunk_hint) {
  if (header.size() != keying.header_size()) {
    return MakeError(ErrorCode::truncated, "chunked: ciphertext shorter than its 56-byte header");
  }
  if (keying.raw) return Build(keying.key.span(), keying.base_nonce, keying, chunk_hint);

  auto keys = DeriveC2sp(keying.key.span(), header.first<kC2spSaltSize>(), keying.context);
  ENVELOPE_RETURN_IF_ERROR(keys);
  if (!ConstantTimeEqual(keys->commitment, header.subspan(kC2spSaltSize))) {
    return MakeError(ErrorCode::auth_failed, kChunkedAuthFailed);
  }
  return Build(keys->aead_key.span(), keys->base_nonce, keying, chunk_hint);
}

Result<size_t> ChunkedCipher::OpenedRunSize(size_t sealed_size, bool final) {
  const size_t full = sealed_size / kC2spSealedChunkSize;
  const size_t rest = sealed_size % kC2spSealedChunkSize;
  if (!final) {
    if (rest != 0) return MakeError(ErrorCode::internal, "chunked: partial chunk in a batch");
    return full * kC2spChunkSize;
  }
  if (rest < kTagSize) {
    return MakeError(ErrorCode::truncated,
                     rest == 0 ? "chunked: ciphertext truncated: the short final chunk is missing"
                               : "chunked: ciphertext truncated inside the final chunk's tag");
  }
  return full * kC2spChunkSize + (rest - kTagSize);
}

Result<void> ChunkedCipher::Seal(uint64_t first_index, std::span<const uint8_t> plaintext,
                                 bool final, std::span<uint8_t> out, SideTask* side) {
  if (!final && plaintext.size() % kC2spChunkSize != 0) {
    return Refuse(side, MakeError(ErrorCode::internal, "chunked: partial chunk in a batch"));
  }
  const uint64_t chunks = ChunkCount(plaintext.size(), final);
  if (out.size() != plaintext.size() + chunks * kTagSize) {
    return Refuse(side, MakeError(ErrorCode::invalid_argument,
                                  "chunked: ciphertext buffer of the wrong size"));
  }
  return Run(Mode::seal, first_index, plaintext, final, out, side);
}

Result<void> ChunkedCipher::Open(uint64_t first_index, std::span<const uint8_t> sealed, bool final,
                                 std::span<uint8_t> out, SideTask* side) {
  auto size = OpenedRunSize(sealed.size(), final);
  if (size && out.size() != *size) {
    size = MakeError(ErrorCode::invalid_argument, "chunked: plaintext buffer of the wrong size");
  }
  if (!size) return Refuse(side, tl::unexpected(size.error()));
  auto r = Run(Mode::open, first_index, sealed, final, out, side);
  if (!r) {
    SecureZero(out);  // earlier batches of this run verified, but all or nothing
    if (r.error().code() == ErrorCode::auth_failed) {
      return MakeError(ErrorCode::auth_failed, kChunkedAuthFailed);
    }
  }
  return r;
}

// Run cuts the run into batches of batch_chunks_ jobs. Seal reads plaintext
// chunks of 16384 bytes and writes 16400-byte slots (ciphertext then tag);
// Open does the reverse.
Result<void> ChunkedCipher::Run(Mode mode, uint64_t first_index, std::span<const uint8_t> in,
                                bool final, std::span<uint8_t> out, SideTask* side) {
  const size_t plain_size = mode == Mode::seal ? in.size() : out.size();
  const uint64_t chunks = ChunkCount(plain_size, final);
  if (first_index > kC2spMaxChunks || chunks > kC2spMaxChunks - first_index) {
    return Refuse(side, MakeError(ErrorCode::limit_exceeded,
                                  "chunked: message longer than 2^38 chunks (4 PiB)"));
  }
  std::span<const uint8_t> plain = mode == Mode::seal ? in : std::span<const uint8_t>(out);
  std::span<const uint8_t> sealed = mode == Mode::seal ? std::span<const uint8_t>(out) : in;
  for (uint64_t done = 0; done < chunks;) {
    const size_t n = static_cast<size_t>(std::min<uint64_t>(batch_chunks_, chunks - done));
    jobs_.clear();
    for (size_t j = 0; j < n; ++j) {
      const uint64_t k = done + j;
      const size_t p_off = static_cast<size_t>(k) * kC2spChunkSize;
      const size_t s_off = static_cast<size_t>(k) * kC2spSealedChunkSize;
      const size_t len = std::min(kC2spChunkSize, plain.size() - p_off);
      std::span<uint8_t> slot = out.subspan(mode == Mode::seal ? s_off : p_off, len);
      ChunkJob job;
      job.index = first_index + k;
      job.final = final && k + 1 == chunks;
      if (mode == Mode::seal) {
        job.in = plain.subspan(p_off, len);
        job.out = slot;
        job.tag = out.subspan(s_off + len, kTagSize);
      } else {
        job.in = sealed.subspan(s_off, len);
        job.out = slot;
        // The engine only reads the tag when opening.
        job.tag = std::span<uint8_t>(const_cast<uint8_t*>(sealed.data()) + s_off + len, kTagSize);
      }
      jobs_.push_back(job);
    }
    // The side task goes with the first batch only.
    SideTask* const batch_side = std::exchange(side, nullptr);
    auto r = mode == Mode::seal ? engine_->Seal(jobs_, nullptr, batch_side)
                                : engine_->Open(jobs_, nullptr, batch_side);
    if (!r) return r;
    done += n;
  }
  if (side != nullptr) side->Run();  // no chunk at all
  return {};
}

}  // namespace envelope::stream
