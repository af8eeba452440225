#include "keyring/rewrap_file.h"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <vector>

namespace envelope::keyring {
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
  size_t done = 0;
  while (done < out.size()) {
    const ssize_t n =
        ::pread(fd_, out.data() + done, out.size() - done, static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return Io("read failed", errno);
    }
    if (n == 0) return MakeError(ErrorCode::truncated, "rewrap: the message ends too early");
    done += static_cast<size_t>(n);
  }
  return {};
}

Result<AtomicOutput> AtomicOutput::Create(const std::string& path, mode_t mode) {
  const std::filesystem::path target(path);
  std::string dir = target.parent_path().string();
  if (dir.empty()) dir = ".";
  std::string temp = dir + "/." + target.filename().string() + ".rewrap-XXXXXX";
  const int fd = ::mkostemp(temp.data(), O_CLOEXEC);
  if (fd < 0) return Io("cannot create a temporary file in " + dir, errno);
  if (::fchmod(fd, mode & 07777) != 0) {
    const int err = errno;
    ::close(fd);
    ::unlink(temp.c_str());
    return Io("cannot set the mode of the temporary file", err);
  }
  return AtomicOutput(fd, std::move(temp), path, std::move(dir));
}

AtomicOutput::AtomicOutput(AtomicOutput&& other) noexcept
    : fd_(other.fd_),
      temp_(std::move(other.temp_)),
      target_(std::move(other.target_)),
      dir_(std::move(other.dir_)),
      committed_(other.committed_) {
  other.fd_ = -1;
  other.committed_ = true;  // the moved-from object owns no temporary
}

AtomicOutput::~AtomicOutput() {
  if (fd_ >= 0) ::close(fd_);
  if (!committed_) ::unlink(temp_.c_str());
}

Result<void> AtomicOutput::Write(std::span<const uint8_t> data) {
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd_, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Io("cannot write the temporary file", errno);
    }
    done += static_cast<size_t>(n);
  }
  return {};
}

Result<void> AtomicOutput::CopyRange(const InputFile& in, uint64_t offset, uint64_t length) {
  // Rewrap to the newest version of the same key keeps the header length,
  // so the body sits at the same offset modulo the block size in both files.
  // Then the block-aligned part can share the input's extents (FICLONERANGE:
  // XFS with reflink, btrfs), which costs the same for 1 KiB and 1 GiB: copy
  // the head up to a block boundary, clone the rest, copy an unaligned tail.
  // Filesystems without extent sharing (ext4, tmpfs) refuse the clone and
  // the whole range is copied.
  constexpr uint64_t kBlock = 4096;
  const off_t out_pos = ::lseek(fd_, 0, SEEK_CUR);
  if (out_pos >= 0 && length >= 2 * kBlock &&
      offset % kBlock == static_cast<uint64_t>(out_pos) % kBlock) {
    const uint64_t head = (kBlock - offset % kBlock) % kBlock;
    if (auto r = KernelCopy(in, offset, head); !r) return r;
    const bool to_eof = offset + length == static_cast<uint64_t>(in.stat().st_size);
    // A clone may end unaligned only at the end of the input.
    const uint64_t middle = to_eof ? length - head : (length - head) / kBlock * kBlock;
    file_clone_range range{};
    range.src_fd = in.fd();
    range.src_offset = offset + head;
    range.src_length = middle;
    range.dest_offset = static_cast<uint64_t>(out_pos) + head;
    if (::ioctl(fd_, FICLONERANGE, &range) == 0) {
      if (::lseek(fd_, static_cast<off_t>(range.dest_offset + middle), SEEK_SET) < 0) {
        return Io("cannot seek in the temporary file", errno);
      }
      return KernelCopy(in, offset + head + middle, length - head - middle);
    }
    return KernelCopy(in, offset + head, length - head);
  }
  return KernelCopy(in, offset, length);
}

Result<void> AtomicOutput::KernelCopy(const InputFile& in, uint64_t offset, uint64_t length) {
  loff_t in_off = static_cast<loff_t>(offset);
  uint64_t left = length;
  while (left > 0) {
    const ssize_t n = ::copy_file_range(in.fd(), &in_off, fd_, nullptr,
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
      if (auto r = Write(piece); !r) return r;
      in_off += static_cast<loff_t>(piece.size());
      left -= piece.size();
    }
  }
  return {};
}

Result<void> AtomicOutput::Commit() {
  if (::fsync(fd_) != 0) return Io("cannot flush the temporary file", errno);
  if (::close(fd_) != 0) {
    fd_ = -1;
    return Io("cannot close the temporary file", errno);
  }
  fd_ = -1;
  if (::rename(temp_.c_str(), target_.c_str()) != 0) {
    return Io("cannot rename the temporary file over " + target_, errno);
  }
  committed_ = true;
  // The rename is durable only once the folder is flushed.
  const int dir_fd = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd < 0) return Io("cannot open " + dir_ + " to flush it", errno);
  const int rc = ::fsync(dir_fd);
  const int err = errno;
  ::close(dir_fd);
  if (rc != 0) return Io("cannot flush " + dir_, err);
  return {};
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

}  // namespace envelope::keyring
