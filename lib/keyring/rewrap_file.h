// lib/keyring: the file side of message rewrap: positioned reads of the
// input, and an output that appears atomically.
//
//   AtomicOutput::Create(path)   temporary "<dir>/.<name>.rewrap-XXXXXX"
//        Write / CopyRange        header bytes, then the body (kernel copy)
//        Commit                   fsync, rename over <path>, fsync <dir>
//   destroyed uncommitted         the temporary is unlinked
//
// After a crash or any failure <path> is either absent (new file), or the
// old file unchanged, or the complete new file; never a mix.
#ifndef ENVELOPE_LIB_KEYRING_REWRAP_FILE_H_
#define ENVELOPE_LIB_KEYRING_REWRAP_FILE_H_

#include <sys/stat.h>
#include <sys/types.h>

#include <cstdint>
#include <span>
#include <string>

#include "envelope/error.hpp"

namespace envelope::keyring {

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

// AtomicOutput is a temporary file that replaces its target on Commit.
class AtomicOutput {
 public:
  // Create makes the temporary beside `path` with permission bits `mode`.
  [[nodiscard]] static Result<AtomicOutput> Create(const std::string& path, mode_t mode);
  AtomicOutput(AtomicOutput&& other) noexcept;
  AtomicOutput& operator=(AtomicOutput&&) = delete;
  AtomicOutput(const AtomicOutput&) = delete;
  ~AtomicOutput();

  // Write appends `data`.
  [[nodiscard]] Result<void> Write(std::span<const uint8_t> data);
  // CopyRange appends `length` bytes of `in` from `offset`: block-aligned
  // parts shared with the input (FICLONERANGE) where the filesystem can and
  // the offsets agree modulo the block size, the rest copied in the kernel.
  [[nodiscard]] Result<void> CopyRange(const InputFile& in, uint64_t offset, uint64_t length);
  // Commit makes the temporary durable and renames it over the target.
  [[nodiscard]] Result<void> Commit();

 private:
  AtomicOutput(int fd, std::string temp, std::string target, std::string dir)
      : fd_(fd), temp_(std::move(temp)), target_(std::move(target)), dir_(std::move(dir)) {}
  // KernelCopy appends the range with copy_file_range, falling back to
  // large reads and writes.
  [[nodiscard]] Result<void> KernelCopy(const InputFile& in, uint64_t offset, uint64_t length);
  int fd_ = -1;
  std::string temp_, target_, dir_;
  bool committed_ = false;
};

// SameFile reports whether `path` exists and is the file `in` has open.
bool SameFile(const std::string& path, const InputFile& in);

// Exists reports whether something exists at `path`.
bool Exists(const std::string& path);

}  // namespace envelope::keyring

#endif  // ENVELOPE_LIB_KEYRING_REWRAP_FILE_H_
