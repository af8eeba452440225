#include "kms/file_io.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "envelope/atomic_file.hpp"
#include "envelope/io.hpp"

namespace envelope::kms::internal {
namespace {

std::string OctalMode(mode_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
  return buf;
}

// CheckPrivate refuses what another user could read or change, like ssh
// does with private keys.
Result<void> CheckPrivate(const std::string& path, const struct stat& st, bool dir) {
  if (dir ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode)) {
    return MakeError(ErrorCode::io, path + ": not a " + (dir ? "directory" : "regular file"));
  }
  if (st.st_uid != geteuid()) {
    return MakeError(ErrorCode::io, path + ": owned by uid " + std::to_string(st.st_uid) +
                                        ", not by us (uid " + std::to_string(geteuid()) +
                                        "); refusing to use it");
  }
  if ((st.st_mode & 077) != 0) {
    return MakeError(ErrorCode::io, path + ": permissions " + OctalMode(st.st_mode) +
                                        " are too open: others can access it; hint: chmod " +
                                        (dir ? "700 " : "600 ") + path);
  }
  return {};
}

// ReadAll appends the rest of `fd` to `out`, reading straight into the
// vector in growing pieces; more than `max_size` bytes is limit_exceeded.
// (Secrets go through ReadSecretFd instead, into secret memory.)
Result<void> ReadAll(int fd, const std::string& what, size_t max_size, std::vector<uint8_t>& out) {
  constexpr size_t kFirstPiece = size_t{64} << 10;
  for (;;) {
    const size_t old = out.size();
    const size_t piece = std::min(std::max(old, kFirstPiece), max_size + 1 - old);
    out.resize(old + piece);
    auto n = ReadFd(fd, std::span(out).subspan(old), what);
    ENVELOPE_RETURN_IF_ERROR(n);
    out.resize(old + *n);
    if (out.size() > max_size) {
      return MakeError(ErrorCode::limit_exceeded,
                       what + ": larger than " + std::to_string(max_size) + " bytes");
    }
    if (*n < piece) return {};  // the end of the file
  }
}

}  // namespace

tl::unexpected<Error> ErrnoError(const std::string& what) {
  return MakeError(ErrorCode::io, what + ": " + std::strerror(errno));
}

Result<void> CheckPrivateFd(int fd, const std::string& path) {
  struct stat st {};
  if (fstat(fd, &st) != 0) return ErrnoError("stat " + path);
  return CheckPrivate(path, st, false);
}

Result<void> EnsurePrivateDirectory(const std::string& dir, bool create) {
  struct stat st {};
  if (stat(dir.c_str(), &st) != 0) {
    if (errno != ENOENT) return ErrnoError("stat " + dir);
    if (!create) {
      return MakeError(ErrorCode::not_found, "keystore folder " + dir + " does not exist");
    }
    const auto parent = std::filesystem::path(dir).parent_path();
    std::error_code ec;
    if (!parent.empty()) std::filesystem::create_directories(parent, ec);
    if (ec) return MakeError(ErrorCode::io, "create " + parent.string() + ": " + ec.message());
    // A concurrent first use may create it between our stat and mkdir.
    if (mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) return ErrnoError("mkdir " + dir);
    if (stat(dir.c_str(), &st) != 0) return ErrnoError("stat " + dir);
  }
  return CheckPrivate(dir, st, /*dir=*/true);
}

Result<std::optional<std::vector<uint8_t>>> ReadPrivateFile(const std::string& path,
                                                            size_t max_size) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    if (errno == ENOENT) return std::optional<std::vector<uint8_t>>();
    return ErrnoError("open " + path);
  }
  struct stat st {};
  Result<void> ok =
      fstat(fd, &st) == 0 ? CheckPrivate(path, st, false) : ErrnoError("stat " + path);
  std::vector<uint8_t> out;
  if (ok) ok = ReadAll(fd, path, max_size, out);
  close(fd);
  ENVELOPE_RETURN_IF_ERROR(ok);
  return std::optional<std::vector<uint8_t>>(std::move(out));
}

namespace {
FileStamp StampFrom(const struct stat& st) {
  return FileStamp{static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino),
                   static_cast<int64_t>(st.st_size),
                   static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec,
                   static_cast<int64_t>(st.st_ctim.tv_sec) * 1'000'000'000 + st.st_ctim.tv_nsec};
}
}  // namespace

Result<std::optional<FileStamp>> StampOf(const std::string& path) {
  struct stat st {};
  if (lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return std::optional<FileStamp>();
    return ErrnoError("stat " + path);
  }
  return std::optional<FileStamp>(StampFrom(st));
}

PinnedFile& PinnedFile::operator=(PinnedFile&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) close(fd_);
    fd_ = other.fd_;
    stamp_ = other.stamp_;
    other.fd_ = -1;
  }
  return *this;
}

PinnedFile::~PinnedFile() {
  if (fd_ >= 0) close(fd_);
}

Result<std::optional<PinnedFile>> PinnedFile::Open(const std::string& path) {
  PinnedFile file;
  file.fd_ = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (file.fd_ < 0) {
    if (errno == ENOENT) return std::optional<PinnedFile>();
    return ErrnoError("open " + path);
  }
  struct stat st {};
  if (fstat(file.fd_, &st) != 0) return ErrnoError("stat " + path);
  ENVELOPE_RETURN_IF_ERROR(CheckPrivate(path, st, false));
  file.stamp_ = StampFrom(st);
  return std::optional<PinnedFile>(std::move(file));
}

Result<std::optional<PinnedFile>> PinnedFile::Read(const std::string& path, size_t max_size,
                                                   std::vector<uint8_t>& out) {
  auto file = Open(path);
  if (!file || !file->has_value()) return file;
  out.clear();
  ENVELOPE_RETURN_IF_ERROR(ReadAll((*file)->fd_, path, max_size, out));
  return file;
}

Result<SecretBytes> ReadSecretFile(const std::string& path, size_t max_size) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    if (errno == ENOENT) return MakeError(ErrorCode::not_found, path + ": no such file");
    return ErrnoError("open " + path);
  }
  struct stat st {};
  Result<void> ok =
      fstat(fd, &st) == 0 ? CheckPrivate(path, st, false) : ErrnoError("stat " + path);
  Result<SecretBytes> out = ok ? envelope::ReadSecretFd(fd, max_size) : tl::unexpected(ok.error());
  close(fd);
  if (!out) return tl::unexpected(out.error().WithContext(path));
  return out;
}

Result<void> WriteFileAtomically(const std::string& dir, const std::string& name,
                                 std::span<const uint8_t> data) {
  auto file =
      AtomicFile::Create(dir + "/" + name, {.replace = true, .mode = 0600, .apply_umask = false});
  ENVELOPE_RETURN_IF_ERROR(file);
  if (auto r = file->Write(data); !r) return r;
  return file->Commit();
}

void RemoveStaleTemporaries(const std::string& dir, const std::string& name) {
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return;
  // AtomicFile's named temporaries, and those of versions before it.
  const std::string prefix = "." + name + ".envelope-";
  const std::string legacy = name + ".tmp.";
  while (const dirent* e = readdir(d)) {
    if (std::strncmp(e->d_name, prefix.c_str(), prefix.size()) == 0 ||
        std::strncmp(e->d_name, legacy.c_str(), legacy.size()) == 0) {
      unlinkat(dirfd(d), e->d_name, 0);
    }
  }
  closedir(d);
}

namespace {

// OpenLockFile opens (creating, mode 0600) lock file `path` and checks it.
Result<int> OpenLockFile(const std::string& path) {
  const int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return ErrnoError("open lock " + path);
  struct stat st {};
  Result<void> ok =
      fstat(fd, &st) == 0 ? CheckPrivate(path, st, false) : ErrnoError("stat " + path);
  if (!ok) {
    close(fd);
    return tl::unexpected(ok.error());
  }
  return fd;
}

// LockFd blocks until `fd` holds the exclusive flock.
Result<void> LockFd(int fd, const std::string& path) {
  while (flock(fd, LOCK_EX) != 0) {
    if (errno != EINTR) return ErrnoError("lock " + path);
  }
  return {};
}

}  // namespace

Result<FileLock> FileLock::Acquire(const std::string& path) {
  auto fd = OpenLockFile(path);
  ENVELOPE_RETURN_IF_ERROR(fd);
  if (auto ok = LockFd(*fd, path); !ok) {
    close(*fd);
    return tl::unexpected(ok.error());
  }
  return FileLock(*fd, true);
}

FileLock& FileLock::operator=(FileLock&& other) noexcept {
  if (this != &other) {
    Release();
    fd_ = other.fd_;
    owned_ = other.owned_;
    other.fd_ = -1;
  }
  return *this;
}

FileLock::~FileLock() { Release(); }

void FileLock::Release() noexcept {
  if (fd_ < 0) return;
  if (owned_) {
    close(fd_);  // closing the last descriptor releases the flock
  } else {
    flock(fd_, LOCK_UN);
  }
  fd_ = -1;
}

Result<LockFile> LockFile::Open(const std::string& path) {
  auto fd = OpenLockFile(path);
  ENVELOPE_RETURN_IF_ERROR(fd);
  return LockFile(*fd, path);
}

LockFile& LockFile::operator=(LockFile&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) close(fd_);
    fd_ = other.fd_;
    path_ = std::move(other.path_);
    other.fd_ = -1;
  }
  return *this;
}

LockFile::~LockFile() {
  if (fd_ >= 0) close(fd_);
}

Result<FileLock> LockFile::Lock() {
  ENVELOPE_RETURN_IF_ERROR(LockFd(fd_, path_));
  return FileLock(fd_, false);
}

}  // namespace envelope::kms::internal
