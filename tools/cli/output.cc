#include "cli/output.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "envelope/io.hpp"

namespace envelope::cli {
namespace {

tl::unexpected<Error> IoError(const std::string& what, int err) {
  return MakeError(ErrorCode::io, what + ": " + std::strerror(err));
}

std::string Quoted(const std::string& path) { return "\"" + path + "\""; }

tl::unexpected<Error> Terminal() {
  return MakeError(ErrorCode::invalid_argument, "refusing to write binary output to a terminal");
}

// WritesThrough reports whether `path` is something a file cannot replace:
// a device, fifo or socket, or a link to one (/dev/stdout, /dev/fd/3).
Result<bool> WritesThrough(const std::string& path) {
  struct stat st {};
  if (lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return false;
    return IoError("cannot check " + Quoted(path), errno);
  }
  if (S_ISLNK(st.st_mode)) {
    // A link to a regular file, a folder or nothing is the AtomicFile's to
    // refuse (or replace with --force); it never writes through a link.
    if (stat(path.c_str(), &st) != 0) return false;
  }
  return !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode);
}

}  // namespace

Result<Output> Output::Open(const std::string& path, const OutputOptions& options) {
  if (path == "-" || path.empty()) {
    if (options.binary && isatty(STDOUT_FILENO)) return Terminal();
    return Output(STDOUT_FILENO, "-");
  }
  auto through = WritesThrough(path);
  ENVELOPE_RETURN_IF_ERROR(through);
  if (*through) {
    const int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) return IoError("cannot open " + Quoted(path), errno);
    if (options.binary && isatty(fd)) {
      close(fd);
      return Terminal();
    }
    return Output(fd, path);
  }
  auto file = AtomicFile::Create(path, {.replace = options.force,
                                        .mode = options.mode.value_or(0666),
                                        .apply_umask = !options.mode || options.apply_umask});
  if (!file) {
    const Error& e = file.error();
    if (e.message().ends_with(" is a symbolic link")) {
      return MakeError(e.code(), e.message() +
                                     "; hint: pass --force to replace the link itself (what it "
                                     "points to is never written)");
    }
    return tl::unexpected(e);
  }
  return Output(std::move(*file), path);
}

Output::Output(Output&& other) noexcept
    : file_(std::move(other.file_)),
      fd_(std::exchange(other.fd_, -1)),
      path_(std::move(other.path_)),
      written_(other.written_),
      done_(std::exchange(other.done_, true)) {
  other.file_.reset();
}

Output::~Output() { Discard(); }

Result<void> Output::Write(std::span<const uint8_t> bytes) {
  if (file_) {
    if (auto r = file_->Write(bytes); !r) return r;
  } else if (auto r = WriteFd(fd_, bytes, Quoted(path_)); !r) {
    return r;
  }
  written_ += bytes.size();
  return {};
}

Result<void> Output::Commit() {
  if (done_) return MakeError(ErrorCode::internal, "output already closed");
  done_ = true;
  if (file_) {
    auto r = file_->Commit();
    if (!r && r.error().code() == ErrorCode::invalid_argument) {
      // Without --force a file appeared at the path while we wrote.
      return MakeError(ErrorCode::invalid_argument,
                       r.error().message() +
                           " (it appeared while writing, and was left as it was); hint: pass "
                           "--force to overwrite it");
    }
    return r;
  }
  if (fd_ != STDOUT_FILENO && close(std::exchange(fd_, -1)) != 0) {
    return IoError("cannot close " + Quoted(path_), errno);
  }
  return {};
}

void Output::Discard() noexcept {
  if (file_) file_->Discard();
  if (fd_ >= 0 && fd_ != STDOUT_FILENO) close(fd_);
  fd_ = -1;
  done_ = true;
}

}  // namespace envelope::cli
