// lib/stream: the C2SP chunked encryption instantiation "Cobblestone-256"
// (c2sp.org/chunked-encryption with AEAD_AES_256_GCM and HKDF-SHA-512): key
// derivation, the per-chunk nonce schedule and the size arithmetic. The
// buffering, threading and I/O are written once in chunked_cipher and the
// stream classes; this file is the algorithm-specific part.
//
// Key derivation (HKDF-Expand only: the input key is already uniform):
//
//   key(32) || base nonce(12) || commitment(32) = HKDF-SHA-512-Expand(
//       prk  = input key (32 bytes),
//       info = "c2sp.org/chunked-encryption@v1+" || "AEAD_AES_256_GCM" || 0x00
//              || salt(24) || context)
//
// Chunk i (0 <= i < 2^38) is sealed with AES-256-GCM under `key`, with nonce
// = base nonce XOR i (as a 96-bit big-endian integer) and an empty AAD. Every
// chunk holds 16384 plaintext bytes except the final one, which holds 0 to
// 16383: a short chunk is what marks the end, so a message of n bytes has
// floor(n / 16384) + 1 chunks and only one possible chunking.
#ifndef ENVELOPE_LIB_STREAM_C2SP_SCHEDULE_H_
#define ENVELOPE_LIB_STREAM_C2SP_SCHEDULE_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "envelope/error.hpp"
#include "envelope/secret.hpp"
#include "stream/chunk_engine.h"

namespace envelope::stream {

inline constexpr size_t kC2spKeySize = 32;
inline constexpr size_t kC2spSaltSize = 24;
inline constexpr size_t kC2spCommitmentSize = 32;
inline constexpr size_t kC2spHeaderSize = kC2spSaltSize + kC2spCommitmentSize;  // 56
inline constexpr size_t kC2spChunkSize = 16384;
inline constexpr size_t kC2spSealedChunkSize = kC2spChunkSize + kTagSize;  // 16400
inline constexpr uint64_t kC2spMaxChunks = uint64_t{1} << 38;
// The context goes into the HKDF info, which OpenSSL 3.0 bounds; 1 KiB is
// far more than an application label needs.
inline constexpr size_t kC2spMaxContextSize = 1024;

// C2spSchedule gives chunk i the nonce base_nonce XOR i and no AAD. The final
// flag is not part of the nonce: the short final chunk marks the end.
class C2spSchedule final : public ChunkSchedule {
 public:
  explicit C2spSchedule(std::span<const uint8_t, kNonceSize> base_nonce) noexcept;

  // max_aad_size is 0: C2SP uses no AAD.
  size_t max_aad_size() const noexcept override { return 0; }

  // Params writes base_nonce XOR index (big-endian) and returns AAD length 0.
  size_t Params(uint64_t index, bool final, size_t plaintext_size,
                std::span<uint8_t, kNonceSize> nonce,
                std::span<uint8_t> aad) const noexcept override;

 private:
  std::array<uint8_t, kNonceSize> base_nonce_;
};

// C2spKeys is the output of the key derivation for one message.
struct C2spKeys {
  SecretBytes aead_key;                                   // 32 bytes
  std::array<uint8_t, kNonceSize> base_nonce{};           // 12 bytes
  std::array<uint8_t, kC2spCommitmentSize> commitment{};  // 32 bytes
};

// CheckC2spKey fails with `invalid_argument` unless `input_key` is 32 bytes
// and `context` at most kC2spMaxContextSize bytes.
[[nodiscard]] Result<void> CheckC2spKey(std::span<const uint8_t> input_key,
                                        std::span<const uint8_t> context);

// DeriveC2sp runs the key derivation above. Fails like CheckC2spKey, or with
// `internal` when HKDF fails. Intermediate buffers are wiped.
[[nodiscard]] Result<C2spKeys> DeriveC2sp(std::span<const uint8_t> input_key,
                                          std::span<const uint8_t, kC2spSaltSize> salt,
                                          std::span<const uint8_t> context);

// C2spSealedSize returns header_size + n + 16 * (floor(n / 16384) + 1), the
// ciphertext size of an n-byte message (header_size is 56, or 0 in raw mode).
// Fails with `limit_exceeded` past 2^38 chunks.
[[nodiscard]] Result<uint64_t> C2spSealedSize(uint64_t plaintext_size, size_t header_size);

// C2spOpenedSize inverts C2spSealedSize. Fails with `truncated` for a size no
// message has: shorter than the header, or a body that ends on a chunk
// boundary or inside the final chunk's tag; `limit_exceeded` past 2^38 chunks.
[[nodiscard]] Result<uint64_t> C2spOpenedSize(uint64_t ciphertext_size, size_t header_size);

}  // namespace envelope::stream

#endif  // ENVELOPE_LIB_STREAM_C2SP_SCHEDULE_H_
