#include "cli/output.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <utility>

namespace envelope::cli {
namespace {

tl::unexpected<Error> IoError(const std::string& what, int err) {
  return MakeError(ErrorCode::io, what + ": " + std::strerror(err));
}

std::string Quoted(const std::string& path) { return "\"" + path + "\""; }

}  // namespace

Result<Output> Output::Open(const std::string& path, const OutputOptions& options) {
  if (path == "-" || path.empty()) {
    if (options.binary && isatty(STDOUT_FILENO)) {
      return MakeError(ErrorCode::invalid_argument,
                       "refusing to write binary output to a terminal");
    }
    return Output(STDOUT_FILENO, "-", "");
  }
  struct stat st;
  if (stat(path.c_str(), &st) == 0) {
    if (!S_ISREG(st.st_mode)) {
      // A device (/dev/null), fifo or socket: write straight through.
      if (S_ISDIR(st.st_mode)) {
        return MakeError(ErrorCode::invalid_argument, "output " + Quoted(path) + " is a folder");
      }
      const int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
      if (fd < 0) return IoError("cannot open " + Quoted(path), errno);
      if (options.binary && isatty(fd)) {
        close(fd);
        return MakeError(ErrorCode::invalid_argument,
                         "refusing to write binary output to a terminal");
      }
      return Output(fd, path, "");
    }
    if (!options.force) {
      return MakeError(ErrorCode::invalid_argument,
                       "output file " + Quoted(path) + " exists");
    }
  } else if (errno != ENOENT) {
    return IoError("cannot check " + Quoted(path), errno);
  }

  const std::filesystem::path target(path);
  const std::filesystem::path dir = target.has_parent_path() ? target.parent_path() : ".";
  std::string temp = (dir / ("." + target.filename().string() + ".envelope-XXXXXX")).string();
  const int fd = mkostemp(temp.data(), O_CLOEXEC);
  if (fd < 0) return IoError("cannot create a file in " + Quoted(dir.string()), errno);
  mode_t mode = 0666;
  if (options.mode) {
    mode = *options.mode;
  } else {
    const mode_t mask = umask(0);
    umask(mask);
    mode &= ~mask;
  }
  if (fchmod(fd, mode) != 0) {
    const int err = errno;
    close(fd);
    unlink(temp.c_str());
    return IoError("cannot set permissions on " + Quoted(temp), err);
  }
  return Output(fd, path, std::move(temp));
}

Output::Output(Output&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      path_(std::move(other.path_)),
      temp_path_(std::move(other.temp_path_)),
      written_(other.written_),
      done_(std::exchange(other.done_, true)) {
  other.temp_path_.clear();
}

Output::~Output() { Discard(); }

Result<void> Output::Write(std::span<const uint8_t> bytes) {
  while (!bytes.empty()) {
    const ssize_t n = write(fd_, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return IoError("cannot write " + Quoted(path_), errno);
    }
    bytes = bytes.subspan(static_cast<size_t>(n));
    written_ += static_cast<uint64_t>(n);
  }
  return {};
}

Result<void> Output::Commit() {
  if (done_) return MakeError(ErrorCode::internal, "output already closed");
  if (temp_path_.empty()) {
    done_ = true;
    if (fd_ != STDOUT_FILENO && close(std::exchange(fd_, -1)) != 0) {
      return IoError("cannot close " + Quoted(path_), errno);
    }
    return {};
  }
  if (fsync(fd_) != 0) return IoError("cannot flush " + Quoted(path_), errno);
  if (close(std::exchange(fd_, -1)) != 0) return IoError("cannot close " + Quoted(path_), errno);
  if (rename(temp_path_.c_str(), path_.c_str()) != 0) {
    return IoError("cannot rename into " + Quoted(path_), errno);
  }
  temp_path_.clear();
  done_ = true;
  // Make the rename itself durable.
  const std::filesystem::path target(path_);
  const std::string dir = target.has_parent_path() ? target.parent_path().string() : ".";
  const int dfd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    fsync(dfd);
    close(dfd);
  }
  return {};
}

void Output::Discard() noexcept {
  if (fd_ >= 0 && fd_ != STDOUT_FILENO) close(fd_);
  fd_ = -1;
  if (!temp_path_.empty()) unlink(temp_path_.c_str());
  temp_path_.clear();
  done_ = true;
}

}  // namespace envelope::cli
