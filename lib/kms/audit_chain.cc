#include "kms/audit_chain.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <filesystem>

#include "crypto/digest.h"
#include "crypto/hex.h"
#include "kms/file_io.h"

namespace envelope::kms::internal {
namespace {

//   "envelope-audit-head 1 <seq, 20 digits> <hex SHA-256 of line seq>\n"
constexpr std::string_view kHeadPrefix = "envelope-audit-head 1 ";
constexpr size_t kHeadSize = kHeadPrefix.size() + 20 + 1 + 64 + 1;
constexpr std::string_view kArchivePrefix = "audit-";
constexpr std::string_view kArchiveSuffix = ".log";
constexpr size_t kReadChunk = 1 << 20;

std::string TwentyDigits(uint64_t n) {
  std::string digits = std::to_string(n);
  digits.insert(0, 20 - std::min<size_t>(20, digits.size()), '0');
  return digits;
}

std::optional<uint64_t> ParseTwentyDigits(std::string_view text) {
  if (text.size() != 20) return std::nullopt;
  uint64_t n = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    const uint64_t digit = static_cast<uint64_t>(c - '0');
    if (n > (UINT64_MAX - digit) / 10) return std::nullopt;
    n = n * 10 + digit;
  }
  return n;
}

}  // namespace

std::string AuditLineHash(std::string_view line) {
  auto digest = crypto::Hash(crypto::HashAlg::sha256,
                             {reinterpret_cast<const uint8_t*>(line.data()), line.size()});
  return digest ? crypto::ToHex(*digest) : std::string();
}

Result<std::optional<AuditHead>> ReadAuditHead(const std::string& dir) {
  ENVELOPE_ASSIGN_OR_RETURN(auto bytes, ReadPrivateFile(dir + "/audit.head", kHeadSize + 1));
  if (!bytes) return std::optional<AuditHead>();
  const std::string_view text(reinterpret_cast<const char*>(bytes->data()), bytes->size());
  auto malformed = [] { return MakeError(ErrorCode::malformed, "audit.head is malformed"); };
  if (text.size() != kHeadSize || text.substr(0, kHeadPrefix.size()) != kHeadPrefix ||
      text.back() != '\n' || text[kHeadSize - 66] != ' ') {
    return malformed();
  }
  auto seq = ParseTwentyDigits(text.substr(kHeadPrefix.size(), 20));
  AuditHead head;
  head.hash = std::string(text.substr(kHeadSize - 65, 64));
  if (!seq || !crypto::ParseHex(head.hash)) return malformed();
  head.seq = *seq;
  return std::optional<AuditHead>(std::move(head));
}

Result<void> WriteAuditHead(const std::string& dir, const AuditHead& head) {
  const std::string path = dir + "/audit.head";
  const std::string buf =
      std::string(kHeadPrefix) + TwentyDigits(head.seq) + " " + head.hash + "\n";
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

std::string AuditArchiveName(uint64_t first_seq) {
  return std::string(kArchivePrefix) + TwentyDigits(first_seq) + std::string(kArchiveSuffix);
}

std::optional<uint64_t> ParseAuditArchiveName(std::string_view name) {
  if (name.size() != kArchivePrefix.size() + 20 + kArchiveSuffix.size() ||
      name.substr(0, kArchivePrefix.size()) != kArchivePrefix ||
      name.substr(name.size() - kArchiveSuffix.size()) != kArchiveSuffix) {
    return std::nullopt;
  }
  return ParseTwentyDigits(name.substr(kArchivePrefix.size(), 20));
}

Result<std::vector<AuditLogFile>> AuditLogFiles(const std::string& dir) {
  std::vector<AuditLogFile> files;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (auto seq = ParseAuditArchiveName(name)) files.push_back({dir + "/" + name, seq});
  }
  if (ec) return MakeError(ErrorCode::io, "list " + dir + ": " + ec.message());
  // Twenty digits sort as numbers.
  std::sort(files.begin(), files.end(),
            [](const AuditLogFile& a, const AuditLogFile& b) { return a.path < b.path; });
  const std::string current = dir + "/" + kAuditLogName;
  if (std::filesystem::exists(std::filesystem::symlink_status(current, ec))) {
    files.push_back({current, std::nullopt});
  }
  return files;
}

Result<AuditLineReader> AuditLineReader::Open(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return ErrnoError("open " + path);
  AuditLineReader reader(fd, path);
  ENVELOPE_RETURN_IF_ERROR(CheckPrivateFd(fd, path));
  return reader;
}

AuditLineReader::AuditLineReader(AuditLineReader&& other) noexcept
    : fd_(other.fd_),
      path_(std::move(other.path_)),
      buffer_(std::move(other.buffer_)),
      begin_(other.begin_),
      eof_(other.eof_),
      complete_(other.complete_) {
  other.fd_ = -1;
}

AuditLineReader::~AuditLineReader() {
  if (fd_ >= 0) close(fd_);
}

Result<std::optional<std::string_view>> AuditLineReader::Next() {
  for (;;) {
    const size_t nl = buffer_.find('\n', begin_);
    if (nl != std::string::npos) {
      const std::string_view line(buffer_.data() + begin_, nl - begin_);
      begin_ = nl + 1;
      complete_ = true;
      return std::optional<std::string_view>(line);
    }
    if (buffer_.size() - begin_ > kMaxAuditLine) {
      return MakeError(ErrorCode::malformed, path_ + ": a line is longer than any audit line");
    }
    if (eof_) {
      if (begin_ == buffer_.size()) return std::optional<std::string_view>();
      const std::string_view rest(buffer_.data() + begin_, buffer_.size() - begin_);
      begin_ = buffer_.size();
      complete_ = false;
      return std::optional<std::string_view>(rest);
    }
    // Keep the unread part, then read more behind it.
    buffer_.erase(0, begin_);
    begin_ = 0;
    const size_t have = buffer_.size();
    buffer_.resize(have + kReadChunk);
    ssize_t n;
    do {
      n = read(fd_, buffer_.data() + have, kReadChunk);
    } while (n < 0 && errno == EINTR);
    if (n < 0) return ErrnoError("read " + path_);
    buffer_.resize(have + static_cast<size_t>(n));
    if (n == 0) eof_ = true;
  }
}

}  // namespace envelope::kms::internal
