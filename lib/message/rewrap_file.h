// lib/message: the file side of message rewrap: positioned reads of the
// input, and copying the message body into the output, an
// envelope::AtomicFile (envelope/atomic_file.hpp):
//
//   AtomicFile::Create(path)     unnamed file in <path>'s folder
//        Write / CopyRange        header bytes, then the body (kernel copy)
//        Commit                   fsync, link or rename into <path>, fsync <dir>
//   destroyed uncommitted         nothing is left
//
// After a crash or any failure <path> is either absent (new file), or the
// old file unchanged, or the complete new file; never a mix.
#ifndef ENVELOPE_LIB_MESSAGE_REWRAP_FILE_H_
#define ENVELOPE_LIB_MESSAGE_REWRAP_FILE_H_

#include <sys/stat.h>
#include <sys/types.h>

#include <cstdint>
#include <span>
#include <string>

#include "envelope/atomic_file.hpp"
#include "envelope/error.hpp"

namespace envelope::message {

// InputFile is a read-only descriptor on a regular file. Move-only.
class InputFile {
 public:
  // Open opens `path`; fails with `not_found`, or `io` for a non-regular
  // file or another error.
  [[nodiscard]] static Result<InputFile> Open(const std::string& path);
  InputFile(InputFile&& other) noexcept : fd_(other.fd_), st_(other.st_) { other.fd_ = -1; }
  InputFile& operator=(InputFile&&) = delete;
  InputFile(const InputFile&) = delete;
  ~InputFile();

  int fd() const { return fd_; }
  uint64_t size() const { return static_cast<uint64_t>(st_.st_size); }
  const struct stat& stat() const { return st_; }
  // ReadAt fills `out` from `offset`; `truncated` when the file ends first.
  [[nodiscard]] Result<void> ReadAt(uint64_t offset, std::span<uint8_t> out) const;

 private:
  InputFile(int fd, const struct stat& st) : fd_(fd), st_(st) {}
  int fd_ = -1;
  struct stat st_ {};
};

// CopyRange appends `length` bytes of `in` from `offset` to `out`:
// block-aligned parts shared with the input (FICLONERANGE) where the
// filesystem can and the offsets agree modulo the block size, the rest
// copied in the kernel (copy_file_range), or with reads and writes where
// the kernel cannot. Fails with `io`, or `truncated` when the input ends
// first.
[[nodiscard]] Result<void> CopyRange(const InputFile& in, uint64_t offset, uint64_t length,
                                     AtomicFile& out);

// SameFile reports whether `path` exists and is the file `in` has open.
bool SameFile(const std::string& path, const InputFile& in);

// Exists reports whether something exists at `path`.
bool Exists(const std::string& path);

}  // namespace envelope::message

#endif  // ENVELOPE_LIB_MESSAGE_REWRAP_FILE_H_
