#include "message/rewrap_file.h"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "envelope/io.hpp"

namespace envelope::message {
namespace {

constexpr size_t kCopyBuffer = size_t{4} << 20;
// One copy_file_range call moves at most this much (the kernel caps it near
// 2 GiB anyway); the loop continues until the range is copied.
constexpr uint64_t kCopyChunk = uint64_t{1} << 30;

tl::unexpected<Error> Io(const std::string& what, int err) {
  return MakeError(ErrorCode::io, "rewrap: " + what + ": " + std::strerror(err));
}

}  // namespace

Result<InputFile> InputFile::Open(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    if (err == ENOENT) return MakeError(ErrorCode::not_found, "rewrap: no such file: " + path);
    return Io("cannot open " + path, err);
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return MakeError(ErrorCode::io, "rewrap: " + path + " is not a regular file");
  }
  return InputFile(fd, st);
}

InputFile::~InputFile() {
  if (fd_ >= 0) ::close(fd_);
}

Result<void> InputFile::ReadAt(uint64_t offset, std::span<uint8_t> out) const {
  FdPositionedSource source(fd_);
  auto n = source.ReadAt(offset, out);
  if (!n) return tl::unexpected(n.error().WithContext("rewrap"));
  if (*n < out.size()) return MakeError(ErrorCode::truncated, "rewrap: the message ends too early");
  return {};
}

namespace {

// KernelCopy appends the range with copy_file_range, falling back to large
// reads and writes.
Result<void> KernelCopy(const InputFile& in, uint64_t offset, uint64_t length, AtomicFile& out) {
  loff_t in_off = static_cast<loff_t>(offset);
  uint64_t left = length;
  while (left > 0) {
    const ssize_t n = ::copy_file_range(in.fd(), &in_off, out.fd(), nullptr,
                                        static_cast<size_t>(std::min(left, kCopyChunk)), 0);
    if (n > 0) {
      left -= static_cast<uint64_t>(n);
      continue;
    }
    if (n == 0) return MakeError(ErrorCode::truncated, "rewrap: the message ends too early");
    if (errno == EINTR) continue;
    if (errno != EXDEV && errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP) {
      return Io("cannot copy the message body", errno);
    }
    // No kernel copy between these files: large reads and writes.
    std::vector<uint8_t> buffer(std::min<uint64_t>(left, kCopyBuffer));
    while (left > 0) {
      const auto piece = std::span(buffer).first(std::min<uint64_t>(left, buffer.size()));
      if (auto r = in.ReadAt(static_cast<uint64_t>(in_off), piece); !r) return r;
      if (auto r = out.Write(piece); !r) return r;
      in_off += static_cast<loff_t>(piece.size());
      left -= piece.size();
    }
  }
  return {};
}

}  // namespace

Result<void> CopyRange(const InputFile& in, uint64_t offset, uint64_t length, AtomicFile& out) {
  // Rewrap to the newest version of the same key keeps the header length,
  // so the body sits at the same offset modulo the block size in both files.
  // Then the block-aligned part can share the input's extents (FICLONERANGE:
  // XFS with reflink, btrfs), which costs the same for 1 KiB and 1 GiB: copy
  // the head up to a block boundary, clone the rest, copy an unaligned tail.
  // Filesystems without extent sharing (ext4, tmpfs) refuse the clone and
  // the whole range is copied.
  constexpr uint64_t kBlock = 4096;
  const off_t out_pos = ::lseek(out.fd(), 0, SEEK_CUR);
  if (out_pos >= 0 && length >= 2 * kBlock &&
      offset % kBlock == static_cast<uint64_t>(out_pos) % kBlock) {
    const uint64_t head = (kBlock - offset % kBlock) % kBlock;
    if (auto r = KernelCopy(in, offset, head, out); !r) return r;
    const bool to_eof = offset + length == static_cast<uint64_t>(in.stat().st_size);
    // A clone may end unaligned only at the end of the input.
    const uint64_t middle = to_eof ? length - head : (length - head) / kBlock * kBlock;
    file_clone_range range{};
    range.src_fd = in.fd();
    range.src_offset = offset + head;
    range.src_length = middle;
    range.dest_offset = static_cast<uint64_t>(out_pos) + head;
    if (::ioctl(out.fd(), FICLONERANGE, &range) == 0) {
      if (::lseek(out.fd(), static_cast<off_t>(range.dest_offset + middle), SEEK_SET) < 0) {
        return Io("cannot seek in the output", errno);
      }
      return KernelCopy(in, offset + head + middle, length - head - middle, out);
    }
    return KernelCopy(in, offset + head, length - head, out);
  }
  return KernelCopy(in, offset, length, out);
}

bool SameFile(const std::string& path, const InputFile& in) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return false;
  return st.st_dev == in.stat().st_dev && st.st_ino == in.stat().st_ino;
}

bool Exists(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0;
}

}  // namespace envelope::message
