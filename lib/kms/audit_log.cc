#include "kms/audit_log.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>
#include <string_view>
#include <vector>

#include "crypto/digest.h"
#include "crypto/hex.h"
#include "crypto/utf8.h"
#include "kms/audit_record.h"
#include "kms/file_io.h"

namespace envelope::kms::internal {
namespace {

using nlohmann::json;

constexpr size_t kTailWindow = 256 * 1024;  // longer than any line we write
constexpr size_t kFirstTailWindow = 4096;
constexpr size_t kMaxLogSize = size_t{1} << 30;
constexpr char kHeadPrefix[] = "envelope-audit-head 1 ";
constexpr size_t kHeadSize = sizeof kHeadPrefix - 1 + 20 + 1 + 64 + 1;
const std::string kZeroHash(64, '0');

std::string Sha256Hex(std::string_view line) {
  auto digest = crypto::Hash(crypto::HashAlg::sha256,
                             {reinterpret_cast<const uint8_t*>(line.data()), line.size()});
  return digest ? crypto::ToHex(*digest) : std::string();
}

struct Head {
  uint64_t seq = 0;
  std::string hash;
};

std::optional<Head> ParseHead(std::string_view text) {
  if (text.size() != kHeadSize || text.substr(0, sizeof kHeadPrefix - 1) != kHeadPrefix ||
      text.back() != '\n' || text[kHeadSize - 66] != ' ') {
    return std::nullopt;
  }
  Head h;
  for (char c : text.substr(sizeof kHeadPrefix - 1, 20)) {
    if (c < '0' || c > '9') return std::nullopt;
    h.seq = h.seq * 10 + static_cast<uint64_t>(c - '0');
  }
  h.hash = std::string(text.substr(kHeadSize - 65, 64));
  if (!crypto::ParseHex(h.hash)) return std::nullopt;
  return h;
}

Result<void> WriteHead(const std::string& dir, uint64_t seq, const std::string& hash) {
  const std::string path = dir + "/audit.head";
  std::string digits = std::to_string(seq);
  digits.insert(0, 20 - std::min<size_t>(20, digits.size()), '0');
  const std::string buf = kHeadPrefix + digits + " " + hash + "\n";
  if (buf.size() != kHeadSize) return MakeError(ErrorCode::internal, "audit head: bad hash");
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return ErrnoError("open " + path);
  Result<void> ok = CheckPrivateFd(fd, path);
  if (ok && pwrite(fd, buf.data(), kHeadSize, 0) != static_cast<ssize_t>(kHeadSize)) {
    ok = ErrnoError("write " + path);
  }
  if (ok && ftruncate(fd, kHeadSize) != 0) ok = ErrnoError("truncate " + path);
  if (ok && fdatasync(fd) != 0) ok = ErrnoError("fdatasync " + path);
  close(fd);
  return ok;
}

// LastLine finds the last complete line of the log open on `fd`, cutting off
// a torn fragment after it. Returns {seq, hash} of that line ({0, zeros}
// for an empty log).
Result<Head> LastLine(int fd, const std::string& path) {
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
    if (window == kTailWindow) {
      return MakeError(ErrorCode::io, path + ": last line is longer than any audit line");
    }
    window = std::min({size, window * 2, kTailWindow});
  }
  const size_t end = last_nl == std::string::npos ? 0 : last_nl + 1;
  if (end != tail.size() && ftruncate(fd, static_cast<off_t>(size - window + end)) != 0) {
    return ErrnoError("truncate torn line of " + path);
  }
  if (end == 0) return Head{0, kZeroHash};
  const size_t first = start == std::string::npos ? 0 : start + 1;
  const std::string_view line = std::string_view(tail).substr(first, last_nl - first);
  Head h{0, Sha256Hex(line)};
  const json j = json::parse(line, nullptr, false);
  if (j.is_object() && j.contains("seq") && j["seq"].is_number_unsigned()) {
    h.seq = j["seq"].get<uint64_t>();
  }
  return h;
}

AuditReport Broken(uint64_t lines, uint64_t line, std::string problem) {
  return AuditReport{false, lines, line, std::move(problem)};
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

Result<void> AppendAuditEvents(const std::string& dir, std::span<const AuditEvent> events) {
  if (events.empty()) return {};
  const std::string path = dir + "/audit.log";
  const int fd = open(path.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return ErrnoError("open " + path);
  Result<void> ok = CheckPrivateFd(fd, path);
  Result<Head> last = ok ? LastLine(fd, path) : tl::unexpected(ok.error());
  if (!last) {
    close(fd);
    return tl::unexpected(last.error());
  }
  std::string text;
  Head head = *last;
  for (const AuditEvent& e : events) {
    json line = CloudTrailRecord(e);
    line["seq"] = head.seq + 1;
    line["prev"] = head.hash;
    const std::string s = line.dump();
    head = Head{head.seq + 1, Sha256Hex(s)};
    text += s;
    text += '\n';
  }
  if (ok) ok = WriteFd(fd, {reinterpret_cast<const uint8_t*>(text.data()), text.size()}, path);
  if (ok && fdatasync(fd) != 0) ok = ErrnoError("fdatasync " + path);
  close(fd);
  if (!ok) return ok;
  return WriteHead(dir, head.seq, head.hash);
}

Result<AuditReport> VerifyAuditLog(const std::string& dir) {
  auto log = ReadPrivateFile(dir + "/audit.log", kMaxLogSize);
  ENVELOPE_RETURN_IF_ERROR(log);
  auto head_bytes = ReadPrivateFile(dir + "/audit.head", kHeadSize + 1);
  ENVELOPE_RETURN_IF_ERROR(head_bytes);
  const std::string_view text =
      log->has_value()
          ? std::string_view(reinterpret_cast<const char*>((*log)->data()), (*log)->size())
          : std::string_view();
  std::vector<std::string_view> lines;
  for (size_t pos = 0; pos < text.size();) {
    const size_t nl = text.find('\n', pos);
    lines.push_back(
        text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos));
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
  }
  const uint64_t n = lines.size();
  std::string prev = kZeroHash;
  for (uint64_t i = 1; i <= n; ++i) {
    const std::string_view line = lines[i - 1];
    const std::string at = "line " + std::to_string(i);
    if (i == n && !text.empty() && text.back() != '\n') {
      return Broken(n, i, at + " is incomplete: the log was cut or a write was interrupted");
    }
    const json j = json::parse(line, nullptr, false);
    if (!j.is_object() || !j.contains("seq") || !j["seq"].is_number_unsigned() ||
        !j.contains("prev") || !j["prev"].is_string()) {
      return Broken(n, i, at + " is not an audit record");
    }
    const uint64_t seq = j["seq"].get<uint64_t>();
    if (seq > i) {
      return Broken(n, i,
                    at + " is missing: the line found there is line " + std::to_string(seq) +
                        " (lines were deleted or reordered)");
    }
    if (seq < i) {
      return Broken(
          n, i,
          at + " is line " + std::to_string(seq) + " again: lines were reordered or duplicated");
    }
    if (j["prev"].get<std::string>() != prev) {
      if (i == 1) return Broken(n, 1, "line 1 does not start the chain (lines before it?)");
      return Broken(n, i - 1,
                    "line " + std::to_string(i - 1) +
                        " was changed: it does not match the hash recorded in " + at);
    }
    prev = Sha256Hex(line);
  }
  if (!head_bytes->has_value()) {
    if (n == 0) return AuditReport{};
    return Broken(n, n, "audit.head is missing: lines removed from the end would go unnoticed");
  }
  const auto head = ParseHead(std::string_view(reinterpret_cast<const char*>((*head_bytes)->data()),
                                               (*head_bytes)->size()));
  if (!head) return Broken(n, n, "audit.head is malformed");
  if (head->seq > n) {
    return Broken(n, n + 1,
                  "line " + std::to_string(n + 1) + " is missing: " + std::to_string(head->seq) +
                      " lines were written");
  }
  if (head->seq == n && head->hash != prev) {
    return Broken(n, n, "line " + std::to_string(n) + " was changed: it does not match audit.head");
  }
  if (head->seq + 1 == n) {
    // A crash between the append and the head update; the line before must
    // still be the anchored one.
    const std::string anchored = n >= 2 ? Sha256Hex(lines[n - 2]) : kZeroHash;
    if (head->hash != anchored) {
      return Broken(n, n - 1, "line " + std::to_string(n - 1) + " does not match audit.head");
    }
  } else if (head->seq + 1 < n) {
    return Broken(
        n, head->seq + 2,
        "line " + std::to_string(head->seq + 2) + " was appended outside the KMS (not anchored)");
  }
  return AuditReport{true, n, 0, {}};
}

}  // namespace envelope::kms::internal
