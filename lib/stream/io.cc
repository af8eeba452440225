// The file-descriptor and memory implementations of envelope/io.hpp.
#include "envelope/io.hpp"

#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>
#include <string>

namespace envelope {
namespace {

// One read/write/pread call moves at most this much, well under SSIZE_MAX and
// the 0x7ffff000 bytes Linux transfers per call anyway.
constexpr size_t kMaxTransfer = size_t{1} << 30;

tl::unexpected<Error> ErrnoError(const char* what, int err) {
  return MakeError(ErrorCode::io, std::string(what) + " failed: " + std::strerror(err));
}

// FdError is ReadFd's and WriteFd's: "cannot <verb> <file>: <reason>" when
// the caller named the file.
tl::unexpected<Error> FdError(const char* verb, std::string_view file, int err) {
  if (file.empty()) return ErrnoError(verb, err);
  return MakeError(ErrorCode::io, std::string("cannot ") + verb + " " + std::string(file) + ": " +
                                      std::strerror(err));
}

// ReadOnce is one read(2), retried on EINTR: at least one byte unless the
// descriptor is at its end (or `out` is empty).
Result<size_t> ReadOnce(int fd, std::span<uint8_t> out, std::string_view what) {
  if (out.empty()) return 0;
  const size_t want = std::min(out.size(), kMaxTransfer);
  for (;;) {
    const ssize_t n = ::read(fd, out.data(), want);
    if (n >= 0) return static_cast<size_t>(n);
    if (errno != EINTR) return FdError("read", what, errno);
  }
}

}  // namespace

Result<size_t> ReadFull(Source& source, std::span<uint8_t> out) {
  size_t done = 0;
  while (done < out.size()) {
    auto n = source.Read(out.subspan(done));
    if (!n) return n;
    if (*n == 0) break;
    done += *n;
  }
  return done;
}

Result<void> ReadExactAt(PositionedSource& source, uint64_t offset, std::span<uint8_t> out) {
  size_t done = 0;
  while (done < out.size()) {
    auto n = source.ReadAt(offset + done, out.subspan(done));
    ENVELOPE_RETURN_IF_ERROR(n);
    if (*n == 0) return MakeError(ErrorCode::truncated, "read past the end of the input");
    done += *n;
  }
  return {};
}

Result<size_t> ReadFd(int fd, std::span<uint8_t> out, std::string_view what) {
  size_t done = 0;
  while (done < out.size()) {
    auto n = ReadOnce(fd, out.subspan(done), what);
    if (!n) return n;
    if (*n == 0) break;  // end of file
    done += *n;
  }
  return done;
}

Result<void> WriteFd(int fd, std::span<const uint8_t> data, std::string_view what) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), std::min(data.size(), kMaxTransfer));
    if (n < 0) {
      if (errno == EINTR) continue;
      return FdError("write", what, errno);
    }
    if (n == 0) return FdError("write", what, EIO);  // never for files, pipes, devices
    data = data.subspan(static_cast<size_t>(n));
  }
  return {};
}

Result<size_t> FdSource::Read(std::span<uint8_t> out) { return ReadOnce(fd_, out, {}); }

Result<void> FdSink::Write(std::span<const uint8_t> data) { return WriteFd(fd_, data); }

Result<size_t> FdPositionedSource::ReadAt(uint64_t offset, std::span<uint8_t> out) {
  constexpr uint64_t kMaxOffset = static_cast<uint64_t>(std::numeric_limits<off_t>::max());
  size_t done = 0;
  while (done < out.size()) {
    if (offset > kMaxOffset - done) {
      return MakeError(ErrorCode::invalid_argument, "pread: offset out of range");
    }
    const size_t want = std::min(out.size() - done, kMaxTransfer);
    const ssize_t n = ::pread(fd_, out.data() + done, want, static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoError("pread", errno);
    }
    if (n == 0) break;  // end of file
    done += static_cast<size_t>(n);
  }
  return done;
}

Result<size_t> PositionedSource::ReadAtV(uint64_t offset,
                                         std::span<const std::span<uint8_t>> outs) {
  size_t total = 0;
  for (const std::span<uint8_t> out : outs) {
    if (offset > std::numeric_limits<uint64_t>::max() - total) {
      return MakeError(ErrorCode::invalid_argument, "read: offset out of range");
    }
    auto n = ReadAt(offset + total, out);
    if (!n) return n;
    total += *n;
    if (*n < out.size()) break;  // the data ended
  }
  return total;
}

Result<size_t> FdPositionedSource::ReadAtV(uint64_t offset,
                                           std::span<const std::span<uint8_t>> outs) {
  constexpr uint64_t kMaxOffset = static_cast<uint64_t>(std::numeric_limits<off_t>::max());
  constexpr size_t kMaxIov = 64;
  size_t total = 0;
  size_t i = 0;     // the span being filled
  size_t held = 0;  // bytes of outs[i] already filled
  for (;;) {
    while (i < outs.size() && held == outs[i].size()) {
      ++i;
      held = 0;
    }
    if (i == outs.size()) break;
    iovec iov[kMaxIov];
    int count = 0;
    size_t want = 0;
    for (size_t j = i; j < outs.size() && count < static_cast<int>(kMaxIov) && want < kMaxTransfer;
         ++j) {
      const size_t from = j == i ? held : 0;
      const size_t len = std::min(outs[j].size() - from, kMaxTransfer - want);
      if (len == 0) continue;
      iov[count++] = {outs[j].data() + from, len};
      want += len;
    }
    if (offset > kMaxOffset - total) {
      return MakeError(ErrorCode::invalid_argument, "preadv: offset out of range");
    }
    const ssize_t n = ::preadv(fd_, iov, count, static_cast<off_t>(offset + total));
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoError("preadv", errno);
    }
    if (n == 0) break;  // end of file
    total += static_cast<size_t>(n);
    for (size_t left = static_cast<size_t>(n); left > 0;) {
      const size_t step = std::min(left, outs[i].size() - held);
      held += step;
      left -= step;
      if (held == outs[i].size()) {
        ++i;
        held = 0;
      }
    }
  }
  return total;
}

Result<uint64_t> FdPositionedSource::Size() {
  struct stat st;
  if (::fstat(fd_, &st) != 0) return ErrnoError("fstat", errno);
  if (!S_ISREG(st.st_mode)) {
    return MakeError(ErrorCode::io, "fstat: not a regular file, so it has no size to seek in");
  }
  return static_cast<uint64_t>(st.st_size);
}

Result<size_t> MemorySource::Read(std::span<uint8_t> out) {
  const size_t n = std::min(out.size(), data_.size() - pos_);
  if (n > 0) std::memcpy(out.data(), data_.data() + pos_, n);
  pos_ += n;
  return n;
}

Result<size_t> MemorySource::ReadAt(uint64_t offset, std::span<uint8_t> out) {
  if (offset >= data_.size()) return 0;
  const size_t n = std::min<uint64_t>(out.size(), data_.size() - offset);
  if (n > 0) std::memcpy(out.data(), data_.data() + offset, n);
  return n;
}

MemorySink::MemorySink(MemorySink&& other) noexcept
    : own_(std::move(other.own_)),
      out_(other.out_ == &other.own_ ? &own_ : other.out_),
      reserved_(std::exchange(other.reserved_, 0)) {
  other.own_.clear();
  other.out_ = &other.own_;
}

Result<void> MemorySink::Write(std::span<const uint8_t> data) {
  Drop(0);
  out_->insert(out_->end(), data.begin(), data.end());
  return {};
}

std::span<uint8_t> MemorySink::Reserve(size_t n) {
  Drop(0);
  const size_t base = out_->size();
  out_->resize(base + n);
  reserved_ = n;
  return std::span(*out_).subspan(base, n);
}

Result<void> MemorySink::Commit(size_t n) {
  if (n > reserved_) return MakeError(ErrorCode::internal, "sink: commit beyond the reservation");
  Drop(n);
  return {};
}

std::vector<uint8_t> MemorySink::Take() noexcept {
  Drop(0);
  std::vector<uint8_t> taken = std::move(*out_);
  out_->clear();
  return taken;
}

void MemorySink::Drop(size_t keep) noexcept {
  const size_t extra = std::min(reserved_ - keep, out_->size());
  if (extra > 0) {
    SecureZero(std::span(*out_).last(extra));
    out_->resize(out_->size() - extra);
  }
  reserved_ = 0;
}

}  // namespace envelope
