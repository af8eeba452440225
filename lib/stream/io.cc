// The file-descriptor and memory implementations of envelope/io.hpp.
#include "envelope/io.hpp"

#include <sys/stat.h>
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

Result<size_t> FdSource::Read(std::span<uint8_t> out) {
  if (out.empty()) return 0;
  const size_t want = std::min(out.size(), kMaxTransfer);
  for (;;) {
    const ssize_t n = ::read(fd_, out.data(), want);
    if (n >= 0) return static_cast<size_t>(n);
    if (errno != EINTR) return ErrnoError("read", errno);
  }
}

Result<void> FdSink::Write(std::span<const uint8_t> data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd_, data.data(), std::min(data.size(), kMaxTransfer));
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoError("write", errno);
    }
    if (n == 0) return MakeError(ErrorCode::io, "write failed: wrote nothing");
    data = data.subspan(static_cast<size_t>(n));
  }
  return {};
}

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

Result<uint64_t> FdPositionedSource::Size() {
  struct stat st;
  if (::fstat(fd_, &st) != 0) return ErrnoError("fstat", errno);
  if (!S_ISREG(st.st_mode)) {
    return MakeError(ErrorCode::io, "fstat: not a regular file, so it has no size to seek in");
  }
  return static_cast<uint64_t>(st.st_size);
}

Result<size_t> MemorySource::Read(std::span<uint8_t> out) {
  const size_t n = std::min(out.size(), data_.size());
  if (n > 0) std::memcpy(out.data(), data_.data(), n);
  data_ = data_.subspan(n);
  return n;
}

Result<void> MemorySink::Write(std::span<const uint8_t> data) {
  data_.insert(data_.end(), data.begin(), data.end());
  return {};
}

Result<size_t> MemoryPositionedSource::ReadAt(uint64_t offset, std::span<uint8_t> out) {
  if (offset >= data_.size()) return 0;
  const size_t n = std::min<uint64_t>(out.size(), data_.size() - offset);
  if (n > 0) std::memcpy(out.data(), data_.data() + offset, n);
  return n;
}

}  // namespace envelope
