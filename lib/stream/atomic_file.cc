// AtomicFile (envelope/atomic_file.hpp): O_TMPFILE + linkat, with a named
// temporary where the filesystem has no O_TMPFILE.
#include "envelope/atomic_file.hpp"

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <utility>

#include "crypto/random.h"
#include "stream/atomic_file_internal.h"
#include "stream/temp_registry.h"

namespace envelope {
namespace {

// How often a random temporary name is drawn again when it is taken.
constexpr int kNameTries = 64;
// Longest part of the target's name kept in a temporary's name, so that
// "." NAME ".envelope-XXXXXX" stays under NAME_MAX.
constexpr size_t kMaxNameInTemp = 200;

stream::SyncFolderFn g_sync_folder = nullptr;  // nullptr: fsync

std::string Quoted(const std::string& s) { return "\"" + s + "\""; }

tl::unexpected<Error> Io(const std::string& what, int err) {
  return MakeError(ErrorCode::io, what + ": " + std::strerror(err));
}

tl::unexpected<Error> Invalid(std::string message) {
  return MakeError(ErrorCode::invalid_argument, std::move(message));
}

// TempName returns ".NAME.envelope-XXXXXX" with six random letters or digits.
Result<std::string> TempName(const std::string& name) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  uint8_t r[6];
  ENVELOPE_RETURN_IF_ERROR(crypto::RandomBytes(r));
  std::string out = "." + name.substr(0, kMaxNameInTemp) + ".envelope-";
  for (uint8_t b : r) out += kAlphabet[b % (sizeof kAlphabet - 1)];
  return out;
}

// CurrentUmask reads the umask without changing it: umask(2) can only set
// it, and setting it for a moment would affect files other threads create.
mode_t CurrentUmask() {
  const int fd = ::open("/proc/self/status", O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    char buf[4096];
    auto n = ReadFd(fd, std::span(reinterpret_cast<uint8_t*>(buf), sizeof buf));
    ::close(fd);
    if (n) {
      const std::string_view text(buf, *n);
      constexpr std::string_view kKey = "\nUmask:\t";
      const size_t at = text.find(kKey);
      unsigned mask = 0;
      if (at != std::string_view::npos) {
        const char* begin = text.data() + at + kKey.size();
        const auto parsed = std::from_chars(begin, text.data() + text.size(), mask, 8);
        if (parsed.ec == std::errc() && parsed.ptr != begin)
          return static_cast<mode_t>(mask & 0777);
      }
    }
  }
  const mode_t mask = ::umask(0);  // kernels before 4.7 (no Umask line)
  ::umask(mask);
  return mask;
}

// LinkUnnamed gives the O_TMPFILE file `fd` the name `name` in `dir_fd`.
int LinkUnnamed(int fd, int dir_fd, const char* name) {
  char proc[32];
  std::snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
  if (::linkat(AT_FDCWD, proc, dir_fd, name, AT_SYMLINK_FOLLOW) == 0) return 0;
  // Without /proc, AT_EMPTY_PATH does the same (it needs
  // CAP_DAC_READ_SEARCH on older kernels).
  if (errno == ENOENT && ::access("/proc/self/fd", F_OK) != 0) {
    return ::linkat(fd, "", dir_fd, name, AT_EMPTY_PATH);
  }
  return -1;
}

}  // namespace

namespace stream {

SyncFolderFn SetSyncFolderForTesting(SyncFolderFn fn) noexcept {
  return std::exchange(g_sync_folder, fn);
}

}  // namespace stream

Result<AtomicFile> AtomicFile::Create(const std::string& path, const AtomicFileOptions& options) {
  if (path.empty()) return Invalid("the output path is empty");
  const std::filesystem::path target(path);
  const std::string name = target.filename().string();
  if (name.empty() || name == "." || name == "..") {
    return Invalid("output " + Quoted(path) + " is a folder");
  }
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0) {
    if (S_ISLNK(st.st_mode) && !options.replace) {
      return Invalid("output " + Quoted(path) + " is a symbolic link");
    }
    if (S_ISDIR(st.st_mode)) return Invalid("output " + Quoted(path) + " is a folder");
    if (!options.replace) return Invalid("output file " + Quoted(path) + " exists");
  } else if (errno != ENOENT) {
    return Io("cannot check " + Quoted(path), errno);
  }

  AtomicFile f;
  f.path_ = path;
  f.dir_ = target.has_parent_path() ? target.parent_path().string() : ".";
  f.name_ = name;
  f.replace_ = options.replace;
  f.mode_ = options.mode & 0777;
  if (options.apply_umask) f.mode_ &= ~CurrentUmask();
  f.dir_fd_ = ::open(f.dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (f.dir_fd_ < 0) return Io("cannot open the folder " + Quoted(f.dir_), errno);
  if (!options.named_temporary) {
    // Mode 0600 until Commit sets the final one; nobody can open it anyway.
    f.fd_ = ::openat(f.dir_fd_, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
    if (f.fd_ >= 0) return f;
    if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL) {
      return Io("cannot create a file in " + Quoted(f.dir_), errno);
    }
  }
  // Fallback: a named temporary, registered for removal on a signal before
  // it exists (see temp_registry.h).
  for (int i = 0; i < kNameTries; ++i) {
    auto temp = TempName(name);
    ENVELOPE_RETURN_IF_ERROR(temp);
    f.slot_ = stream::RegisterTemporary(f.dir_ + "/" + *temp);
    f.fd_ = ::openat(f.dir_fd_, temp->c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                     0600);
    if (f.fd_ >= 0) {
      f.temp_name_ = std::move(*temp);
      return f;
    }
    const int err = errno;
    stream::UnregisterTemporary(std::exchange(f.slot_, -1));
    if (err != EEXIST) return Io("cannot create a file in " + Quoted(f.dir_), err);
  }
  return MakeError(ErrorCode::io, "cannot create a file in " + Quoted(f.dir_) +
                                      ": every temporary name tried is taken");
}

AtomicFile::AtomicFile(AtomicFile&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      dir_fd_(std::exchange(other.dir_fd_, -1)),
      slot_(std::exchange(other.slot_, -1)),
      path_(std::move(other.path_)),
      dir_(std::move(other.dir_)),
      name_(std::move(other.name_)),
      temp_name_(std::exchange(other.temp_name_, {})),
      mode_(other.mode_),
      replace_(other.replace_),
      done_(std::exchange(other.done_, true)) {}

AtomicFile::~AtomicFile() { Discard(); }

Result<void> AtomicFile::Write(std::span<const uint8_t> data) {
  if (done_) return MakeError(ErrorCode::internal, "output " + Quoted(path_) + " is closed");
  return WriteFd(fd_, data, Quoted(path_));
}

Result<void> AtomicFile::Commit() {
  if (done_) return MakeError(ErrorCode::internal, "output " + Quoted(path_) + " is closed");
  if (::fchmod(fd_, mode_) != 0) return Io("cannot set the permissions of " + Quoted(path_), errno);
  if (::fsync(fd_) != 0) return Io("cannot flush " + Quoted(path_), errno);
  if (auto placed = replace_ ? Replace() : LinkNew(); !placed) return placed;
  done_ = true;
  stream::UnregisterTemporary(std::exchange(slot_, -1));
  // The data is on disk (fsync above); close cannot lose it any more.
  ::close(std::exchange(fd_, -1));
  // The new name is durable only once the folder is.
  const int rc = g_sync_folder ? g_sync_folder(dir_fd_) : ::fsync(dir_fd_);
  const int err = errno;
  ::close(std::exchange(dir_fd_, -1));
  if (rc != 0) return Io("cannot flush the folder " + Quoted(dir_), err);
  return {};
}

Result<void> AtomicFile::LinkNew() {
  auto exists = [&] { return Invalid("output file " + Quoted(path_) + " exists"); };
  if (temp_name_.empty()) {
    if (LinkUnnamed(fd_, dir_fd_, name_.c_str()) == 0) return {};
    if (errno == EEXIST) return exists();
    return Io("cannot create " + Quoted(path_), errno);
  }
  // A hard link fails like linkat above when the name is taken.
  if (::linkat(dir_fd_, temp_name_.c_str(), dir_fd_, name_.c_str(), 0) == 0) {
    ::unlinkat(dir_fd_, temp_name_.c_str(), 0);
    return {};
  }
  if (errno == EEXIST) return exists();
  if (errno != EPERM && errno != EOPNOTSUPP && errno != ENOSYS) {
    return Io("cannot create " + Quoted(path_), errno);
  }
  // No hard links on this filesystem (vfat, some FUSE): a rename that
  // refuses to replace.
  if (::renameat2(dir_fd_, temp_name_.c_str(), dir_fd_, name_.c_str(), RENAME_NOREPLACE) == 0) {
    return {};
  }
  if (errno == EEXIST) return exists();
  if (errno != EINVAL && errno != ENOSYS) return Io("cannot create " + Quoted(path_), errno);
  // Nor that: check, then rename. A file created between the two is
  // replaced; this filesystem offers nothing better.
  struct stat st {};
  if (::fstatat(dir_fd_, name_.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) return exists();
  if (::renameat(dir_fd_, temp_name_.c_str(), dir_fd_, name_.c_str()) != 0) {
    return Io("cannot create " + Quoted(path_), errno);
  }
  return {};
}

Result<void> AtomicFile::Replace() {
  if (!temp_name_.empty()) {
    if (::renameat(dir_fd_, temp_name_.c_str(), dir_fd_, name_.c_str()) != 0) {
      return Io("cannot replace " + Quoted(path_), errno);
    }
    return {};
  }
  // rename(2) is the only atomic replace, and it needs a name to move: link
  // the unnamed file to a random one, covered by the signal cleanup.
  for (int i = 0; i < kNameTries; ++i) {
    auto temp = TempName(name_);
    ENVELOPE_RETURN_IF_ERROR(temp);
    const int slot = stream::RegisterTemporary(dir_ + "/" + *temp);
    if (LinkUnnamed(fd_, dir_fd_, temp->c_str()) != 0) {
      const int err = errno;
      stream::UnregisterTemporary(slot);
      if (err == EEXIST) continue;
      return Io("cannot replace " + Quoted(path_), err);
    }
    const int rc = ::renameat(dir_fd_, temp->c_str(), dir_fd_, name_.c_str());
    const int err = errno;
    if (rc != 0) ::unlinkat(dir_fd_, temp->c_str(), 0);
    stream::UnregisterTemporary(slot);
    if (rc != 0) return Io("cannot replace " + Quoted(path_), err);
    return {};
  }
  return MakeError(ErrorCode::io,
                   "cannot replace " + Quoted(path_) + ": every temporary name tried is taken");
}

void AtomicFile::Discard() noexcept {
  if (fd_ >= 0) ::close(std::exchange(fd_, -1));
  if (!done_ && !temp_name_.empty() && dir_fd_ >= 0) {
    ::unlinkat(dir_fd_, temp_name_.c_str(), 0);
  }
  stream::UnregisterTemporary(std::exchange(slot_, -1));
  if (dir_fd_ >= 0) ::close(std::exchange(dir_fd_, -1));
  done_ = true;
}

}  // namespace envelope
