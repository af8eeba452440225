// envelope: keyed streaming encryption with random access, C2SP chunked
// encryption "Cobblestone-256" (c2sp.org/chunked-encryption with AES-256-GCM
// and HKDF-SHA-512).
//
// A message of any length up to 4 PiB is encrypted under a 32-byte input key
// (uniformly random: a data key, never a password) and an optional context
// (public, authenticated, must match to decrypt). Each message gets a fresh
// random salt, from which a message key and a key commitment are derived;
// the plaintext is cut into 16 KiB chunks sealed with AES-256-GCM. The
// ciphertext is 56 + n + 16 * (floor(n / 16384) + 1) bytes.
//
// Decryption guarantees, in every API below:
//  - the commitment is checked (in constant time) before any chunk is
//    decrypted, so a wrong key or context fails at once;
//  - no plaintext is released before the tag of its chunk has verified;
//  - truncation, reordering, duplication and trailing data are detected;
//  - every authentication failure has the same `auth_failed` message, and a
//    stream that failed keeps returning that error.
// Streaming decryption may release the verified chunks of a message that
// later turns out truncated or corrupted; write to a temporary file and
// rename it on success when that matters.
//
// Threads: with ChunkedOptions::threads above 1, the chunks of a batch (about
// 1 MiB of plaintext per thread) are sealed or opened in parallel; a stream's
// memory is about 2 x threads MiB, at most 32 MiB (the pull decryptor, which
// reads the next batch while it opens one: 3 x threads MiB, at most 48 MiB),
// independent of the message size. The output is the same for any number of
// threads. The default is 1, as for messages (message.hpp): see
// ChunkedOptions::threads.
#ifndef ENVELOPE_CHUNKED_HPP_
#define ENVELOPE_CHUNKED_HPP_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "envelope/error.hpp"
#include "envelope/export.h"
#include "envelope/io.hpp"
#include "envelope/secret.hpp"

ENVELOPE_EXPORT_BEGIN
namespace envelope {

// kChunkedKeySize is the input key size (AES-256).
inline constexpr size_t kChunkedKeySize = 32;
// kChunkedChunkSize is the plaintext size of every chunk but the final one.
inline constexpr size_t kChunkedChunkSize = 16384;
// kChunkedHeaderSize is the salt (24) plus the commitment (32).
inline constexpr size_t kChunkedHeaderSize = 56;
// kChunkedMaxContextSize bounds ChunkedOptions::context.
inline constexpr size_t kChunkedMaxContextSize = 1024;

// ChunkedOptions are the settings shared by every chunked API.
struct ChunkedOptions {
  // threads working on a stream, the caller's included: 1 (default) runs
  // everything on the calling thread, 0 means one per core (per CPU the
  // process may run on: its affinity mask, as set by taskset or a
  // container's cpuset). The default is
  // the same as EncryptOptions::threads and DecryptOptions::threads: a
  // library call starts no threads unless asked, so a server that already
  // runs one request per core is not oversubscribed, memory per call stays
  // one batch, and no call can fail for want of threads. Ask for 0 (what
  // the command-line tools do) to spread one large message over the cores.
  unsigned threads = 1;
  // context is bound into the key derivation: decryption needs the same
  // bytes. Public, at most kChunkedMaxContextSize bytes, may be empty.
  std::vector<uint8_t> context;
};

// ChunkedCiphertextSize returns the ciphertext size of a message of
// `plaintext_size` bytes. Fails with `limit_exceeded` beyond 4 PiB.
[[nodiscard]] Result<uint64_t> ChunkedCiphertextSize(uint64_t plaintext_size);

// ChunkedPlaintextSize returns the plaintext size for a ciphertext size.
// Fails with `truncated` for a size no ciphertext has (this check alone
// authenticates nothing).
[[nodiscard]] Result<uint64_t> ChunkedPlaintextSize(uint64_t ciphertext_size);

// ChunkedEncryptor encrypts in push style: Write plaintext as it comes, then
// Finish. Ciphertext goes to the sink a batch at a time. Not thread-safe.
class ChunkedEncryptor {
 public:
  // New starts a message under `key` (32 bytes) that will be written to
  // `ciphertext`, which must outlive the encryptor. Fails with
  // `invalid_argument` for a bad key size or context.
  [[nodiscard]] static Result<std::unique_ptr<ChunkedEncryptor>> New(
      KeyView key, Sink& ciphertext, const ChunkedOptions& options = {});

  virtual ~ChunkedEncryptor() = default;

  // Write encrypts `plaintext` (any size; whole chunks are sealed straight
  // from it, the rest is buffered). Fails with the sink's error, or with
  // `limit_exceeded` past 4 PiB; after a failure every call fails the same.
  [[nodiscard]] virtual Result<void> Write(std::span<const uint8_t> plaintext) = 0;

  // Finish seals the short final chunk and writes everything left. Without
  // it the ciphertext is truncated and will not decrypt. Later calls to
  // Write or Finish fail with `invalid_argument`.
  [[nodiscard]] virtual Result<void> Finish() = 0;
};

// ChunkedDecryptor decrypts in push style: Write ciphertext as it comes, then
// Finish. Plaintext goes to the sink only once its chunk has verified.
// Not thread-safe.
class ChunkedDecryptor {
 public:
  // New prepares to decrypt a message under `key` into `plaintext`, which
  // must outlive the decryptor. Fails with `invalid_argument` for a bad key
  // size or context (nothing else is checked before the header arrives).
  [[nodiscard]] static Result<std::unique_ptr<ChunkedDecryptor>> New(
      KeyView key, Sink& plaintext, const ChunkedOptions& options = {});

  virtual ~ChunkedDecryptor() = default;

  // Write consumes ciphertext. Fails with `auth_failed` (commitment or
  // chunk), or the sink's error; after a failure every call fails the same.
  [[nodiscard]] virtual Result<void> Write(std::span<const uint8_t> ciphertext) = 0;

  // Finish checks that the message ended with its short final chunk (else
  // `truncated`) and releases the rest of the plaintext.
  [[nodiscard]] virtual Result<void> Finish() = 0;
};

// ChunkedEncryptingReader encrypts in pull style: a Source of ciphertext
// over a Source of plaintext. Read ends (returns 0) after the final chunk.
// Not thread-safe.
class ChunkedEncryptingReader : public Source {
 public:
  // New wraps `plaintext`, which must outlive the reader. Fails with
  // `invalid_argument` for a bad key size or context.
  [[nodiscard]] static Result<std::unique_ptr<ChunkedEncryptingReader>> New(
      KeyView key, Source& plaintext, const ChunkedOptions& options = {});
};

// ChunkedDecryptingReader decrypts in pull style: a Source of plaintext over
// a Source of ciphertext. Read returns 0 only once the whole message has
// verified, including its final chunk; after a failure it keeps failing.
// Not thread-safe.
class ChunkedDecryptingReader : public Source {
 public:
  // New reads and checks the header of `ciphertext` (which must outlive the
  // reader). Fails with `invalid_argument` for a bad key size or context,
  // `truncated` for a short header, `auth_failed` for a wrong key, context
  // or a damaged header, or the source's error.
  [[nodiscard]] static Result<std::unique_ptr<ChunkedDecryptingReader>> New(
      KeyView key, Source& ciphertext, const ChunkedOptions& options = {});
};

// ChunkedRandomAccessReader decrypts any range of a message stored where it
// can be read at any offset (a file through FdPositionedSource). Only the
// chunks a range touches are read and verified.
//
// The message length comes from the ciphertext length and is authenticated
// by verifying the final chunk: Size(), a seek from the end, and any read
// that reaches the end of the message (or starts past it) do that first.
// ReadAt is stateless: a damaged chunk fails only the ranges that touch it.
// The cursor (Seek/Read) behaves like a stream: once Read failed, it keeps
// failing. Not thread-safe.
class ChunkedRandomAccessReader : public PositionedSource, public Source {
 public:
  // Whence says what a Seek offset is relative to.
  enum class Whence { kBegin, kCurrent, kEnd };

  // New reads and checks the header of `ciphertext` (which must outlive the
  // reader). Fails like ChunkedDecryptingReader::New.
  [[nodiscard]] static Result<std::unique_ptr<ChunkedRandomAccessReader>> New(
      KeyView key, PositionedSource& ciphertext, const ChunkedOptions& options = {});

  // ReadAt decrypts plaintext bytes [offset, offset + out.size()) into `out`
  // and returns how many there were (fewer at the end of the message, which
  // is then authenticated). Fails with `auth_failed` when a chunk in the
  // range does not verify (`out` is then zeroed), `truncated` when the range
  // needs a final chunk the ciphertext does not have, or the source's error.
  [[nodiscard]] Result<size_t> ReadAt(uint64_t offset, std::span<uint8_t> out) override = 0;

  // Size returns the authenticated plaintext length (the final chunk is
  // verified once; a failure is remembered).
  [[nodiscard]] Result<uint64_t> Size() override = 0;

  // Read reads at the cursor and advances it.
  [[nodiscard]] Result<size_t> Read(std::span<uint8_t> out) override = 0;

  // Seek moves the cursor and returns its new position. kEnd authenticates
  // the length first. Fails with `invalid_argument` for a negative position.
  [[nodiscard]] virtual Result<uint64_t> Seek(int64_t offset, Whence whence) = 0;

  // Tell returns the cursor position.
  virtual uint64_t Tell() const noexcept = 0;
};

// ChunkedEncrypt encrypts `plaintext` into `ciphertext`, which must be
// exactly ChunkedCiphertextSize(plaintext.size()) bytes and must not overlap
// it. Fails with `invalid_argument` for a bad key, context or buffer.
[[nodiscard]] Result<void> ChunkedEncrypt(KeyView key, std::span<const uint8_t> plaintext,
                                          std::span<uint8_t> ciphertext,
                                          const ChunkedOptions& options = {});

// ChunkedEncrypt returns the ciphertext of `plaintext` in a new vector.
[[nodiscard]] Result<std::vector<uint8_t>> ChunkedEncrypt(KeyView key,
                                                          std::span<const uint8_t> plaintext,
                                                          const ChunkedOptions& options = {});

// ChunkedDecrypt decrypts `ciphertext` into `plaintext`, which must be
// exactly ChunkedPlaintextSize(ciphertext.size()) bytes and must not overlap
// it. All or nothing: on failure `plaintext` is zeroed. Fails with
// `truncated` for an impossible size, `auth_failed` otherwise.
[[nodiscard]] Result<void> ChunkedDecrypt(KeyView key, std::span<const uint8_t> ciphertext,
                                          std::span<uint8_t> plaintext,
                                          const ChunkedOptions& options = {});

// ChunkedDecrypt returns the plaintext of `ciphertext` in a new vector.
[[nodiscard]] Result<std::vector<uint8_t>> ChunkedDecrypt(KeyView key,
                                                          std::span<const uint8_t> ciphertext,
                                                          const ChunkedOptions& options = {});

// ChunkedEncryptStream encrypts everything `plaintext` yields into
// `ciphertext` and returns the number of plaintext bytes. No copy beyond the
// reads and writes themselves.
[[nodiscard]] Result<uint64_t> ChunkedEncryptStream(KeyView key, Source& plaintext,
                                                    Sink& ciphertext,
                                                    const ChunkedOptions& options = {});

// ChunkedDecryptStream decrypts everything `ciphertext` yields into
// `plaintext` and returns the number of plaintext bytes. Verified chunks are
// written as they come: on failure the sink may hold a verified prefix.
[[nodiscard]] Result<uint64_t> ChunkedDecryptStream(KeyView key, Source& ciphertext,
                                                    Sink& plaintext,
                                                    const ChunkedOptions& options = {});

}  // namespace envelope
ENVELOPE_EXPORT_END

#endif  // ENVELOPE_CHUNKED_HPP_
