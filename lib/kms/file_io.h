// lib/kms: POSIX file handling for the keystore folder: private folders and
// files (ssh-style permission checks), bounded reads, atomic durable writes
// and the inter-process lock.
#ifndef ENVELOPE_LIB_KMS_FILE_IO_H_
#define ENVELOPE_LIB_KMS_FILE_IO_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "envelope/error.hpp"
#include "envelope/io.hpp"
#include "envelope/secret.hpp"

namespace envelope::kms::internal {

// EnsurePrivateDirectory creates `dir` (and missing parents) when `create`,
// with mode 0700 for `dir` itself, then checks that it is a directory owned
// by us that neither group nor others can access. Fails with `not_found`
// (missing and not created) or `io` with a "chmod 700" hint.
[[nodiscard]] Result<void> EnsurePrivateDirectory(const std::string& dir, bool create);

// ReadPrivateFile returns the bytes of `path` (at most `max_size`), or
// nullopt when it does not exist. The file must be a regular file owned by
// us with no group/other permission bits (`io` with a "chmod 600" hint).
[[nodiscard]] Result<std::optional<std::vector<uint8_t>>> ReadPrivateFile(const std::string& path,
                                                                          size_t max_size);

// FileStamp identifies one version of a file: the inode and its size and
// change times. The keystore is only ever replaced by rename (a new inode)
// or, by hand, rewritten in place (new times); either changes the stamp, as
// long as the inode it came from stays allocated (see PinnedFile).
struct FileStamp {
  uint64_t dev = 0;
  uint64_t ino = 0;
  int64_t size = -1;
  int64_t mtime_ns = 0;
  int64_t ctime_ns = 0;
  friend bool operator==(const FileStamp&, const FileStamp&) = default;
};

// StampOf returns the stamp of `path` (following no symlink), nullopt when
// it does not exist; `io` for other failures.
[[nodiscard]] Result<std::optional<FileStamp>> StampOf(const std::string& path);

// PinnedFile keeps a file open (read-only) so that its inode number cannot
// be reused by a later file while the stamp taken from it is compared.
// Move-only; closes on destruction.
class PinnedFile {
 public:
  PinnedFile() = default;
  PinnedFile(PinnedFile&& other) noexcept : fd_(other.fd_), stamp_(other.stamp_) { other.fd_ = -1; }
  PinnedFile& operator=(PinnedFile&& other) noexcept;
  PinnedFile(const PinnedFile&) = delete;
  PinnedFile& operator=(const PinnedFile&) = delete;
  ~PinnedFile();

  // Open opens `path` (a private file, as ReadPrivateFile checks it) and
  // keeps it open without reading it; nullopt when it does not exist.
  [[nodiscard]] static Result<std::optional<PinnedFile>> Open(const std::string& path);
  // Read opens `path` as Open does, reads
  // at most `max_size` bytes into `out` and keeps the file open; nullopt
  // when it does not exist.
  [[nodiscard]] static Result<std::optional<PinnedFile>> Read(const std::string& path,
                                                              size_t max_size,
                                                              std::vector<uint8_t>& out);
  // stamp is the file's stamp when it was read.
  const FileStamp& stamp() const noexcept { return stamp_; }
  // valid reports whether a file is held.
  bool valid() const noexcept { return fd_ >= 0; }

 private:
  int fd_ = -1;
  FileStamp stamp_;
};

// ReadSecretFile is ReadPrivateFile into secret memory (through
// envelope::ReadSecretFd), for root keys and passphrases; a missing file is
// `not_found`, more than `max_size` bytes `invalid_argument`.
[[nodiscard]] Result<SecretBytes> ReadSecretFile(const std::string& path, size_t max_size);

// WriteFileAtomically replaces `dir`/`name` with `data` (mode 0600) through
// an envelope::AtomicFile: after a crash the file is either the old or the
// new version, never a mix, and a failed folder fsync is an error.
[[nodiscard]] Result<void> WriteFileAtomically(const std::string& dir, const std::string& name,
                                               std::span<const uint8_t> data);

// RemoveStaleTemporaries deletes the named temporaries `.<name>.envelope-*`
// (and `<name>.tmp.*` of older versions) left in `dir` by a writer that was
// killed. Call it only while holding the FileLock.
void RemoveStaleTemporaries(const std::string& dir, const std::string& name);

// FileLock is an exclusive flock(2) on a lock file, held until destroyed.
// flock locks belong to the open file description, so two FileLocks in one
// process exclude each other too. Move-only.
class FileLock {
 public:
  // Acquire opens (creating, mode 0600) `path` and blocks until the lock is
  // held. Fails with `io`.
  [[nodiscard]] static Result<FileLock> Acquire(const std::string& path);
  FileLock(FileLock&& other) noexcept : fd_(other.fd_), owned_(other.owned_) { other.fd_ = -1; }
  FileLock& operator=(FileLock&& other) noexcept;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  ~FileLock();

 private:
  friend class LockFile;
  FileLock(int fd, bool owned) : fd_(fd), owned_(owned) {}
  void Release() noexcept;
  int fd_ = -1;
  bool owned_ = true;  // close the descriptor (else only unlock it)
};

// LockFile is a lock file held open by one user that takes the lock for
// every operation (the KMS server's transactions, its audit flusher): one
// flock and one unlock per operation instead of open, fstat, flock and
// close. Each LockFile is its own open file description, so two of them on
// one path exclude each other as two processes do; a LockFile must not be
// locked again before its FileLock is gone (its owner serializes).
class LockFile {
 public:
  // Open opens (creating, mode 0600) `path` and checks it is private.
  [[nodiscard]] static Result<LockFile> Open(const std::string& path);
  LockFile(LockFile&& other) noexcept : fd_(other.fd_), path_(std::move(other.path_)) {
    other.fd_ = -1;
  }
  LockFile& operator=(LockFile&& other) noexcept;
  LockFile(const LockFile&) = delete;
  LockFile& operator=(const LockFile&) = delete;
  ~LockFile();

  // Lock blocks until the lock is held; the FileLock releases it.
  [[nodiscard]] Result<FileLock> Lock();

 private:
  LockFile(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  int fd_ = -1;
  std::string path_;
};

// CheckPrivateFd checks that open file `fd` (named `path` in errors) is a
// regular file owned by us with no group/other permission bits.
[[nodiscard]] Result<void> CheckPrivateFd(int fd, const std::string& path);

// ErrnoError builds an `io` error "<what>: <strerror(errno)>".
tl::unexpected<Error> ErrnoError(const std::string& what);

}  // namespace envelope::kms::internal

#endif  // ENVELOPE_LIB_KMS_FILE_IO_H_
