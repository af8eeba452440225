// envelope: byte sources and sinks.
//
// The streaming APIs (chunked encryption, ESDK messages, the command-line
// tools) read and write through three small interfaces instead of iostreams
// or file names, so the same code runs over files, pipes, sockets and memory:
//
//   Source            sequential reads (a pipe, stdin, a file read front to back)
//   Sink              sequential writes (a pipe, stdout, a file written front to back)
//   PositionedSource  reads at any offset, like pread(2), plus the total size
//
// Implementations over POSIX file descriptors (retrying on EINTR and on short
// transfers) and over memory are provided, with the two descriptor helpers
// they are built on (ReadFd, WriteFd: the one EINTR-safe loop of the
// library and the tools), and ReadSecret, the one reader of keys,
// passphrases and PINs from a file, a descriptor or an environment variable.
// Every streaming API (chunked.hpp, message.hpp, rewrap.hpp) takes these
// three types under these names; there are no aliases.
//
// Thread safety: none of the classes here is thread-safe; give each thread
// its own object. The one exception: ReadAt and ReadAtV of the positioned
// sources provided here (FdPositionedSource, MemorySource) keep no state, so
// several threads may call them at once (MessageEncryptor::UpdateFrom does).
#ifndef ENVELOPE_IO_HPP_
#define ENVELOPE_IO_HPP_

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "envelope/error.hpp"
#include "envelope/export.h"
#include "envelope/secret.hpp"

ENVELOPE_EXPORT_BEGIN
namespace envelope {

// Source is a sequential byte source. Implementations need not be
// thread-safe (none here is).
class Source {
 public:
  virtual ~Source() = default;

  // Read fills the front of `out` with the next bytes and returns how many it
  // wrote: at least 1 when `out` is not empty, unless the source has ended, in
  // which case it returns 0 (and keeps returning 0). It may return fewer bytes
  // than asked (use ReadFull to wait for a whole span). Fails with `io` when
  // the underlying read fails; decrypting sources also fail with
  // `auth_failed` or `truncated`.
  [[nodiscard]] virtual Result<size_t> Read(std::span<uint8_t> out) = 0;
};

// Sink is a sequential byte sink. Implementations need not be thread-safe
// (none here is).
class Sink {
 public:
  virtual ~Sink() = default;

  // Write writes all of `data` or fails (with `io` for a failed write); it
  // never reports a partial write as success.
  [[nodiscard]] virtual Result<void> Write(std::span<const uint8_t> data) = 0;

  // Reserve is an optional zero-copy path for sinks backed by memory: it
  // returns `n` writable bytes at the end of the output, which become output
  // only when Commit(n) follows. A writer fills them (ciphertext, or
  // plaintext once authenticated) instead of copying from its own buffer.
  // Bytes not committed are dropped by the next Reserve or Write. The
  // default returns an empty span: the caller uses Write.
  virtual std::span<uint8_t> Reserve(size_t n) {
    (void)n;
    return {};
  }

  // Commit appends the first `n` of the bytes last returned by Reserve to
  // the output and drops the rest (Commit(0) abandons a reservation).
  [[nodiscard]] virtual Result<void> Commit(size_t n) {
    (void)n;
    return MakeError(ErrorCode::internal, "sink: commit without reserve");
  }
};

// PositionedSource reads at any offset without a cursor, like pread(2).
// Implementations say whether ReadAt may run in several threads at once.
class PositionedSource {
 public:
  virtual ~PositionedSource() = default;

  // ReadAt fills `out` with the bytes starting at `offset` and returns how
  // many it wrote: out.size(), or fewer only when the data ends first (0 at
  // or past the end). Fails with `io` when the underlying read fails.
  [[nodiscard]] virtual Result<size_t> ReadAt(uint64_t offset, std::span<uint8_t> out) = 0;

  // ReadAtV fills the spans of `outs` in turn with the bytes starting at
  // `offset`, as one ReadAt over their concatenation would, and returns how
  // many it wrote in all. The default calls ReadAt for each span; a file
  // reads them with preadv(2), one system call instead of several.
  [[nodiscard]] virtual Result<size_t> ReadAtV(uint64_t offset,
                                               std::span<const std::span<uint8_t>> outs);

  // Size returns the total number of bytes. Fails with `io` when it cannot
  // be determined.
  [[nodiscard]] virtual Result<uint64_t> Size() = 0;
};

// AsBytes views the bytes of `text` as unsigned bytes, for passing text
// where the API takes bytes (a Sink, a context, an encryption). The view has
// the lifetime of `text`'s buffer.
inline std::span<const uint8_t> AsBytes(std::string_view text) noexcept {
  return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}

// ReadFull reads from `source` until `out` is full or the source ends, and
// returns the number of bytes read (less than out.size() only at the end).
[[nodiscard]] Result<size_t> ReadFull(Source& source, std::span<uint8_t> out);

// ReadExactAt fills all of `out` from `offset` of `source`, failing with
// `truncated` when the data ends first.
[[nodiscard]] Result<void> ReadExactAt(PositionedSource& source, uint64_t offset,
                                       std::span<uint8_t> out);

// ReadFd reads from descriptor `fd` until `out` is full or the descriptor
// reaches its end, retrying on EINTR and short reads, and returns the number
// of bytes read (less than out.size() only at the end). Fails with `io`:
// "cannot read WHAT: <reason>" when `what` names the file, else "read
// failed: <reason>".
[[nodiscard]] Result<size_t> ReadFd(int fd, std::span<uint8_t> out, std::string_view what = {});

// WriteFd writes all of `data` to descriptor `fd`, retrying on EINTR and
// short writes. Fails with `io`: "cannot write WHAT: <reason>", or "write
// failed: <reason>" without `what`.
[[nodiscard]] Result<void> WriteFd(int fd, std::span<const uint8_t> data,
                                   std::string_view what = {});

// SecretSource names where a secret (a key, a passphrase, a PIN) comes
// from: never a command-line value, which other users can read in /proc.
struct SecretSource {
  enum class Kind { file, fd, env };
  Kind kind = Kind::file;
  std::string value;  // a path, a descriptor number in decimal, or a variable name

  // Describe returns e.g. `key file "k.bin"`, `file descriptor 3` or
  // `environment variable PIN` for messages (never the secret).
  std::string Describe() const;
};

// ReadSecret reads the secret `source` names, at most `max_size` bytes,
// straight into secret memory (no copy is left in ordinary memory; a
// descriptor is read to its end and left open). Fails with `not_found` for a
// missing file; `invalid_argument` when the source holds more than
// `max_size` bytes, is empty, or names a bad descriptor or an unset
// variable; `io` when it cannot be read. Messages name the source, never
// its content.
[[nodiscard]] Result<SecretBytes> ReadSecret(const SecretSource& source, size_t max_size);

// ReadSecretFd reads open descriptor `fd` to its end, at most `max_size`
// bytes (more is `invalid_argument`), into secret memory; it may be empty.
// The descriptor is not closed. Fails with `io` when it cannot be read.
[[nodiscard]] Result<SecretBytes> ReadSecretFd(int fd, size_t max_size);

// FdSource reads from a file descriptor with read(2). Not thread-safe. It
// does not own `fd`:
// the caller keeps it open while the FdSource is used and closes it after.
class FdSource final : public Source {
 public:
  explicit FdSource(int fd) noexcept : fd_(fd) {}
  // Read is read(2), retried on EINTR.
  [[nodiscard]] Result<size_t> Read(std::span<uint8_t> out) override;

 private:
  int fd_;
};

// FdSink (not thread-safe) writes to a descriptor with write(2), retrying on EINTR and
// short writes. It does not own `fd`.
class FdSink final : public Sink {
 public:
  explicit FdSink(int fd) noexcept : fd_(fd) {}
  // Write loops over write(2) until every byte is written.
  [[nodiscard]] Result<void> Write(std::span<const uint8_t> data) override;

 private:
  int fd_;
};

// FdPositionedSource reads a regular file with pread(2); ReadAt and ReadAtV
// may run in several threads at once (it never moves the
// descriptor's file offset) and takes its size from fstat(2). It does not own
// `fd`.
class FdPositionedSource final : public PositionedSource {
 public:
  explicit FdPositionedSource(int fd) noexcept : fd_(fd) {}
  // ReadAt loops over pread(2), retried on EINTR, until `out` is full or the
  // file ends.
  [[nodiscard]] Result<size_t> ReadAt(uint64_t offset, std::span<uint8_t> out) override;
  // ReadAtV loops over preadv(2) the same way.
  [[nodiscard]] Result<size_t> ReadAtV(uint64_t offset,
                                       std::span<const std::span<uint8_t>> outs) override;
  // Size is fstat(2)'s st_size; fails with `io` for a descriptor that is not
  // a regular file.
  [[nodiscard]] Result<uint64_t> Size() override;

 private:
  int fd_;
};

// MemorySource reads a span the caller keeps alive (ReadAt may run in
// several threads at once; Read may not): front to back through
// Source::Read, or at any offset through PositionedSource::ReadAt (which
// keeps no state and ignores the Read cursor).
class MemorySource final : public Source, public PositionedSource {
 public:
  explicit MemorySource(std::span<const uint8_t> data) noexcept : data_(data) {}
  // Read copies the next bytes; 0 at the end.
  [[nodiscard]] Result<size_t> Read(std::span<uint8_t> out) override;
  // ReadAt copies the bytes at `offset`; fewer at the end, 0 past it.
  [[nodiscard]] Result<size_t> ReadAt(uint64_t offset, std::span<uint8_t> out) override;
  // Size returns the span's size.
  [[nodiscard]] Result<uint64_t> Size() override { return data_.size(); }

 private:
  std::span<const uint8_t> data_;
  size_t pos_ = 0;  // the Read cursor
};

// MemorySink (not thread-safe) appends everything written to a vector: its own (the default
// constructor; see data() and Take()) or one the caller owns and keeps alive
// (the other). It offers Reserve/Commit, so writers encrypt or decrypt
// straight into the vector; reserved bytes that are not committed are wiped
// and removed again (at the latest when the sink is destroyed), since they may
// hold plaintext that never authenticated.
class MemorySink final : public Sink {
 public:
  // MemorySink() appends to a vector of its own.
  MemorySink() noexcept : out_(&own_) {}
  // MemorySink(out) appends to `out`, which must outlive the sink.
  explicit MemorySink(std::vector<uint8_t>& out) noexcept : out_(&out) {}
  // Moving keeps appending to the same vector (the moved-to sink's own one
  // when the source used its own); the moved-from sink is empty.
  MemorySink(MemorySink&& other) noexcept;
  MemorySink& operator=(MemorySink&&) = delete;
  MemorySink(const MemorySink&) = delete;
  MemorySink& operator=(const MemorySink&) = delete;
  // ~MemorySink drops an uncommitted reservation.
  ~MemorySink() override { Drop(0); }

  // Write appends `data`.
  [[nodiscard]] Result<void> Write(std::span<const uint8_t> data) override;
  // Reserve appends `n` bytes for the writer to fill (see Sink::Reserve).
  std::span<uint8_t> Reserve(size_t n) override;
  // Commit keeps the first `n` reserved bytes; fails with `internal` past
  // the reservation.
  [[nodiscard]] Result<void> Commit(size_t n) override;
  // data returns everything written so far.
  const std::vector<uint8_t>& data() const noexcept { return *out_; }
  // Take moves the written bytes out, leaving the vector empty.
  std::vector<uint8_t> Take() noexcept;

 private:
  // Drop keeps the first `keep` reserved bytes and removes the rest, wiped.
  void Drop(size_t keep) noexcept;

  std::vector<uint8_t> own_;
  std::vector<uint8_t>* out_;
  size_t reserved_ = 0;  // bytes at the end of *out_ handed out by Reserve
};

}  // namespace envelope
ENVELOPE_EXPORT_END

#endif  // ENVELOPE_IO_HPP_
