#include "kms/audit_log.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>
#include <string_view>
#include <utility>
#include <vector>

#include "crypto/utf8.h"
#include "kms/audit_chain.h"
#include "kms/audit_record.h"
#include "kms/file_io.h"

namespace envelope::kms::internal {
namespace {

using nlohmann::json;

constexpr size_t kFirstTailWindow = 4096;

// LastLine finds the last complete line of the log open on `fd`, cutting off
// a torn fragment after it. Returns {seq, hash} of that line ({0, zeros}
// for an empty log).
Result<AuditHead> LastLine(int fd, const std::string& path) {
  struct stat st {};
  if (fstat(fd, &st) != 0) return ErrnoError("stat " + path);
  const size_t size = static_cast<size_t>(st.st_size);
  // Read a small tail first and double it until it holds the whole last
  // line: lines are a few hundred bytes, and reading (and zero-filling) the
  // full 256 KiB window cost every logged operation of a grown log about a
  // millisecond.
  std::string tail;
  size_t window = std::min(size, kFirstTailWindow);
  // The last line ends at the last newline (a torn line after it is cut off
  // below); it starts after the newline before that.
  size_t last_nl = std::string::npos;
  size_t start = std::string::npos;
  for (;;) {
    tail.assign(window, '\0');
    if (window > 0 && pread(fd, tail.data(), window, static_cast<off_t>(size - window)) !=
                          static_cast<ssize_t>(window)) {
      return ErrnoError("read " + path);
    }
    last_nl = tail.rfind('\n');
    start = last_nl == std::string::npos || last_nl == 0 ? std::string::npos
                                                         : tail.rfind('\n', last_nl - 1);
    if (start != std::string::npos || window == size) break;
    if (window == kMaxAuditLine) {
      return MakeError(ErrorCode::io, path + ": last line is longer than any audit line");
    }
    window = std::min({size, window * 2, kMaxAuditLine});
  }
  const size_t end = last_nl == std::string::npos ? 0 : last_nl + 1;
  if (end != tail.size() && ftruncate(fd, static_cast<off_t>(size - window + end)) != 0) {
    return ErrnoError("truncate torn line of " + path);
  }
  if (end == 0) return AuditHead{};
  const size_t first = start == std::string::npos ? 0 : start + 1;
  const std::string_view line = std::string_view(tail).substr(first, last_nl - first);
  AuditHead h{0, AuditLineHash(line)};
  const json j = json::parse(line, nullptr, false);
  if (j.is_object() && j.contains("seq") && j["seq"].is_number_unsigned()) {
    h.seq = j["seq"].get<uint64_t>();
  }
  return h;
}

// LogFile is audit.log open for appending (and reading its tail), closed
// on destruction.
class LogFile {
 public:
  static Result<LogFile> Open(const std::string& path) {
    const int fd = open(path.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) return ErrnoError("open " + path);
    LogFile log(fd);
    ENVELOPE_RETURN_IF_ERROR(CheckPrivateFd(fd, path));
    return log;
  }
  LogFile(LogFile&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  LogFile& operator=(LogFile&& other) noexcept {
    std::swap(fd_, other.fd_);
    return *this;
  }
  LogFile(const LogFile&) = delete;
  LogFile& operator=(const LogFile&) = delete;
  ~LogFile() {
    if (fd_ >= 0) close(fd_);
  }
  int fd() const { return fd_; }
  Result<uint64_t> Size() const {
    struct stat st {};
    if (fstat(fd_, &st) != 0) return ErrnoError("stat audit.log");
    return static_cast<uint64_t>(st.st_size);
  }

 private:
  explicit LogFile(int fd) : fd_(fd) {}
  int fd_;
};

// FirstSeq returns the sequence number of the first line of the log open on
// `fd` (which has at least one complete line).
Result<uint64_t> FirstSeq(int fd, const std::string& path) {
  std::string head(kMaxAuditLine, '\0');
  const ssize_t n = pread(fd, head.data(), head.size(), 0);
  if (n < 0) return ErrnoError("read " + path);
  head.resize(static_cast<size_t>(n));
  const size_t nl = head.find('\n');
  const json j = json::parse(std::string_view(head).substr(0, nl), nullptr, false);
  if (nl == std::string::npos || !j.is_object() || !j.contains("seq") ||
      !j["seq"].is_number_unsigned()) {
    return MakeError(ErrorCode::malformed,
                     path + ": the first line is not an audit record; run 'envelope audit verify'");
  }
  return j["seq"].get<uint64_t>();
}

// Rotate archives the full audit.log open as `log`, whose last line is
// `head`, as audit-<its first seq>.log, and opens a new, empty audit.log.
// audit.head is brought up to `head` first, so the new log's first line can
// chain to the archive through it even after a crash right after the rename.
Result<LogFile> Rotate(const std::string& dir, LogFile log, const AuditHead& head) {
  const std::string path = dir + "/" + kAuditLogName;
  ENVELOPE_ASSIGN_OR_RETURN(const uint64_t first, FirstSeq(log.fd(), path));
  ENVELOPE_RETURN_IF_ERROR(WriteAuditHead(dir, head));
  const std::string archive = dir + "/" + AuditArchiveName(first);
  // Atomic, and never over an existing archive.
  if (renameat2(AT_FDCWD, path.c_str(), AT_FDCWD, archive.c_str(), RENAME_NOREPLACE) != 0) {
    return ErrnoError("archive " + path + " as " + archive);
  }
  const int dir_fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd < 0) return ErrnoError("open " + dir);
  const bool synced = fsync(dir_fd) == 0;
  close(dir_fd);
  if (!synced) return ErrnoError("fsync " + dir);
  return LogFile::Open(path);
}

}  // namespace

std::string FormatTime(TimePoint t) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch());
  const std::time_t secs = static_cast<std::time_t>(ms.count() / 1000 - (ms.count() % 1000 < 0));
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(((ms.count() % 1000) + 1000) % 1000));
  return buf;
}

Result<void> AppendAuditEvents(const std::string& dir, std::span<const AuditEvent> events,
                               uint64_t rotate_bytes) {
  if (events.empty()) return {};
  const std::string path = dir + "/" + kAuditLogName;
  ENVELOPE_ASSIGN_OR_RETURN(LogFile log, LogFile::Open(path));
  ENVELOPE_ASSIGN_OR_RETURN(AuditHead head, LastLine(log.fd(), path));
  if (head.seq > 0 && rotate_bytes > 0) {
    ENVELOPE_ASSIGN_OR_RETURN(const uint64_t size, log.Size());
    if (size >= rotate_bytes) {
      ENVELOPE_ASSIGN_OR_RETURN(log, Rotate(dir, std::move(log), head));
    }
  } else if (head.seq == 0) {
    // An empty audit.log after a rotation: the chain goes on from the
    // archive's last line, which audit.head holds (written before the
    // rename). With no head this is the first line of a new log.
    ENVELOPE_ASSIGN_OR_RETURN(auto anchored, ReadAuditHead(dir));
    if (anchored) head = std::move(*anchored);
  }
  std::string text;
  for (const AuditEvent& e : events) {
    json line = CloudTrailRecord(e);
    line["seq"] = head.seq + 1;
    line["prev"] = head.hash;
    const std::string s = line.dump();
    head = AuditHead{head.seq + 1, AuditLineHash(s)};
    text += s;
    text += '\n';
  }
  ENVELOPE_RETURN_IF_ERROR(
      WriteFd(log.fd(), {reinterpret_cast<const uint8_t*>(text.data()), text.size()}, path));
  if (fdatasync(log.fd()) != 0) return ErrnoError("fdatasync " + path);
  return WriteAuditHead(dir, head);
}

}  // namespace envelope::kms::internal
