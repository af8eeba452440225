// lib/stream: the part of C2SP chunked encryption every API shares.
//
// ChunkedKeying says how a message is keyed (C2SP: input key + salt +
// context through HKDF; raw mode: AEAD key + base nonce given). A
// ChunkedCipher is one message's derived key in a ChunkEngine plus the C2SP
// nonce schedule: it seals or opens a run of consecutive chunks, laid out as
// in the ciphertext, so the push, pull, one-shot and random-access classes
// only move bytes and keep state.
//
// Ciphertext (C2SP mode; raw mode has no header):
//
//   0        24             56
//   +--------+--------------+---------------------+---------------------+-----+-----------------+
//   | salt   | commitment   | chunk 0             | chunk 1             | ... | final chunk     |
//   | 24 B   | 32 B         | 16384 B ct | 16 tag | 16384 B ct | 16 tag |     | 0..16383 | tag  |
//   +--------+--------------+---------------------+---------------------+-----+-----------------+
//
// Chunk k starts at 56 + k * 16400; plaintext byte i is byte i % 16384 of
// chunk i / 16384. The final chunk is always shorter than 16384 bytes (empty
// when the message length is a multiple of 16384) and is what marks the end.
#ifndef ENVELOPE_LIB_STREAM_CHUNKED_CIPHER_H_
#define ENVELOPE_LIB_STREAM_CHUNKED_CIPHER_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "envelope/chunked.hpp"
#include "envelope/error.hpp"
#include "envelope/secret.hpp"
#include "stream/c2sp_schedule.h"
#include "stream/chunk_engine.h"

namespace envelope::stream {

// kChunkedAuthFailed is the one message of every authentication failure of
// chunked decryption (commitment or chunk tag): it gives no oracle.
inline constexpr const char* kChunkedAuthFailed =
    "chunked: failed to decrypt and authenticate: the ciphertext is corrupted or was "
    "tampered with, or the key or context is wrong";

// kNoChunkHint tells ChunkedCipher the message length is not known yet.
inline constexpr uint64_t kNoChunkHint = std::numeric_limits<uint64_t>::max();

// ChunkedKeying is everything needed to key one message, validated.
struct ChunkedKeying {
  bool raw = false;
  SecretBytes key;                               // C2SP input key, or the raw AEAD key
  std::array<uint8_t, kNonceSize> base_nonce{};  // raw mode only
  std::vector<uint8_t> context;                  // C2SP mode only
  unsigned threads = 0;                          // 0: one per core
  // Testing hooks: chunks per batch (0: the engine's suggestion) and a fixed
  // salt instead of a random one (encryption in C2SP mode).
  size_t batch_chunks = 0;
  std::optional<std::array<uint8_t, kC2spSaltSize>> salt;

  size_t header_size() const noexcept { return raw ? 0 : kC2spHeaderSize; }
};

// MakeC2spKeying validates and copies `key` (32 bytes) and the options.
[[nodiscard]] Result<ChunkedKeying> MakeC2spKeying(std::span<const uint8_t> key,
                                                   const ChunkedOptions& options);

// MakeRawKeying validates and copies a raw-mode AEAD key and base nonce.
[[nodiscard]] Result<ChunkedKeying> MakeRawKeying(std::span<const uint8_t> key,
                                                  std::span<const uint8_t> base_nonce,
                                                  unsigned threads);

// ChunkedCipher seals and opens runs of chunks of one message.
class ChunkedCipher {
 public:
  // ForSealing derives a message key from `keying` with a fresh random salt
  // (C2SP) and writes the header (header_size() bytes) to `header`.
  // `chunk_hint` (the message's chunk count, when known) caps the number of
  // threads so a short message does not start idle workers.
  [[nodiscard]] static Result<std::unique_ptr<ChunkedCipher>> ForSealing(
      const ChunkedKeying& keying, std::span<uint8_t> header, uint64_t chunk_hint);

  // ForOpening checks `header` against `keying` (the commitment, compared in
  // constant time) before anything is decrypted. Fails with `auth_failed`
  // (kChunkedAuthFailed) for a wrong key, context, salt or commitment.
  [[nodiscard]] static Result<std::unique_ptr<ChunkedCipher>> ForOpening(
      const ChunkedKeying& keying, std::span<const uint8_t> header, uint64_t chunk_hint);

  ChunkedCipher(const ChunkedCipher&) = delete;
  ChunkedCipher& operator=(const ChunkedCipher&) = delete;

  // batch_chunks is how many chunks a stream should hand over per call.
  size_t batch_chunks() const noexcept { return batch_chunks_; }

  // threads is the number of threads working on a batch.
  unsigned threads() const noexcept { return engine_->threads(); }

  // InMemory tells the cipher that the whole message of `chunks` chunks is
  // in the caller's memory (one-shot calls): the batch then grows to the
  // whole message, up to 1 GiB, which costs no buffer (only the job list)
  // and hands work to the threads once instead of once per 1 MiB per
  // thread (see ChunkEngine::Work for the figures). The testing hook
  // ChunkedKeying::batch_chunks still wins.
  void InMemory(uint64_t chunks);

  // Seal encrypts `plaintext` as chunks first_index, first_index + 1, ...:
  // whole 16384-byte chunks, then, if `final`, the short final chunk (the
  // rest, possibly empty). Without `final` the size must be a multiple of
  // 16384. `out` must be exactly the sealed size and must not overlap the
  // input. Fails with `limit_exceeded` past chunk 2^38 - 1. A `side` task
  // runs on the calling thread while the first batch is sealed (see
  // SideTask), whatever the outcome.
  [[nodiscard]] Result<void> Seal(uint64_t first_index, std::span<const uint8_t> plaintext,
                                  bool final, std::span<uint8_t> out, SideTask* side = nullptr);

  // Open is the inverse: `sealed` is whole 16400-byte chunks, then, if
  // `final`, a final chunk of 16 to 16399 bytes (else `truncated`). Nothing
  // is released unverified: on any failure all of `out` is zeroed. `side`
  // as for Seal.
  [[nodiscard]] Result<void> Open(uint64_t first_index, std::span<const uint8_t> sealed, bool final,
                                  std::span<uint8_t> out, SideTask* side = nullptr);

  // OpenedRunSize returns the plaintext size of a sealed run (the shape Open
  // wants), or `truncated` for a shape no message has.
  [[nodiscard]] static Result<size_t> OpenedRunSize(size_t sealed_size, bool final);

 private:
  ChunkedCipher(std::span<const uint8_t, kNonceSize> base_nonce) : schedule_(base_nonce) {}
  [[nodiscard]] static Result<std::unique_ptr<ChunkedCipher>> Build(
      std::span<const uint8_t> aead_key, std::span<const uint8_t, kNonceSize> base_nonce,
      const ChunkedKeying& keying, uint64_t chunk_hint);
  enum class Mode { seal, open };
  [[nodiscard]] Result<void> Run(Mode mode, uint64_t first_index, std::span<const uint8_t> in,
                                 bool final, std::span<uint8_t> out, SideTask* side);

  C2spSchedule schedule_;
  std::unique_ptr<ChunkEngine> engine_;  // refers to schedule_: declared after it
  size_t batch_chunks_ = 1;
  bool batch_fixed_ = false;    // set by the testing hook
  std::vector<ChunkJob> jobs_;  // reused for every batch: no allocation per chunk
};

}  // namespace envelope::stream

#endif  // ENVELOPE_LIB_STREAM_CHUNKED_CIPHER_H_
