// envelope/hazmat: C2SP chunked encryption in raw mode, for protocols.
//
// HAZMAT. Raw mode (c2sp.org/chunked-encryption, "Appendix: raw mode") takes
// the AES-256-GCM key and the 12-byte base nonce directly instead of deriving
// them from an input key and a random salt. There is no header: no salt, no
// key commitment. It exists for a higher-level protocol that already derives
// a fresh, uniformly random key and base nonce per message with its own KDF
// and domain separation. Using the same (key, base nonce) for two messages
// breaks confidentiality and authenticity of both. Applications want
// envelope/chunked.hpp instead.
//
// Ciphertext: the chunks only (chunk k at offset k * 16400), sealed exactly
// as in C2SP mode, so a C2SP ciphertext without its 56-byte header is the
// raw-mode ciphertext of the derived key and base nonce.
#ifndef ENVELOPE_HAZMAT_CHUNKED_RAW_HPP_
#define ENVELOPE_HAZMAT_CHUNKED_RAW_HPP_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "envelope/chunked.hpp"
#include "envelope/error.hpp"
#include "envelope/export.h"
#include "envelope/io.hpp"

ENVELOPE_EXPORT_BEGIN
namespace envelope::hazmat {

// kRawChunkedKeySize is the AES-256-GCM key size.
inline constexpr size_t kRawChunkedKeySize = 32;
// kRawChunkedNonceSize is the base nonce size.
inline constexpr size_t kRawChunkedNonceSize = 12;

// RawChunkedCiphertextSize is n + 16 * (floor(n / 16384) + 1).
[[nodiscard]] Result<uint64_t> RawChunkedCiphertextSize(uint64_t plaintext_size);

// RawChunkedPlaintextSize inverts it; `truncated` for a size no message has.
[[nodiscard]] Result<uint64_t> RawChunkedPlaintextSize(uint64_t ciphertext_size);

// Every factory below fails with `invalid_argument` unless `key` is 32 bytes
// and `base_nonce` 12; `threads` is as in ChunkedOptions (1, the default: the calling thread
// only; 0: one per core).
// The objects behave exactly as their C2SP-mode counterparts in
// envelope/chunked.hpp, minus the header.

// NewRawChunkedEncryptor encrypts in push style into `ciphertext`.
[[nodiscard]] Result<std::unique_ptr<ChunkedEncryptor>> NewRawChunkedEncryptor(
    KeyView key, std::span<const uint8_t> base_nonce, Sink& ciphertext, unsigned threads = 1);

// NewRawChunkedDecryptor decrypts in push style into `plaintext`.
[[nodiscard]] Result<std::unique_ptr<ChunkedDecryptor>> NewRawChunkedDecryptor(
    KeyView key, std::span<const uint8_t> base_nonce, Sink& plaintext, unsigned threads = 1);

// NewRawChunkedEncryptingReader encrypts in pull style from `plaintext`.
[[nodiscard]] Result<std::unique_ptr<ChunkedEncryptingReader>> NewRawChunkedEncryptingReader(
    KeyView key, std::span<const uint8_t> base_nonce, Source& plaintext, unsigned threads = 1);

// NewRawChunkedDecryptingReader decrypts in pull style from `ciphertext`.
[[nodiscard]] Result<std::unique_ptr<ChunkedDecryptingReader>> NewRawChunkedDecryptingReader(
    KeyView key, std::span<const uint8_t> base_nonce, Source& ciphertext, unsigned threads = 1);

// NewRawChunkedRandomAccessReader decrypts ranges of `ciphertext`.
[[nodiscard]] Result<std::unique_ptr<ChunkedRandomAccessReader>> NewRawChunkedRandomAccessReader(
    KeyView key, std::span<const uint8_t> base_nonce, PositionedSource& ciphertext,
    unsigned threads = 1);

// RawChunkedEncrypt encrypts `plaintext` into `ciphertext` (exactly
// RawChunkedCiphertextSize bytes, not overlapping). Deterministic.
[[nodiscard]] Result<void> RawChunkedEncrypt(KeyView key, std::span<const uint8_t> base_nonce,
                                             std::span<const uint8_t> plaintext,
                                             std::span<uint8_t> ciphertext, unsigned threads = 1);

// RawChunkedDecrypt decrypts `ciphertext` into `plaintext` (exactly
// RawChunkedPlaintextSize bytes, not overlapping); zeroed on failure.
[[nodiscard]] Result<void> RawChunkedDecrypt(KeyView key, std::span<const uint8_t> base_nonce,
                                             std::span<const uint8_t> ciphertext,
                                             std::span<uint8_t> plaintext, unsigned threads = 1);

}  // namespace envelope::hazmat
ENVELOPE_EXPORT_END

#endif  // ENVELOPE_HAZMAT_CHUNKED_RAW_HPP_
