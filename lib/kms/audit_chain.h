// lib/kms: the pieces of the audit log's hash chain that appending and
// verifying share: the head anchor (audit.head), line hashes, the log's files
// and a bounded line reader.
//
// The log is `audit.log` plus, once it has been rotated, archives named for
// the sequence number of their first line, `audit-<seq, 20 digits>.log`.
// Rotation renames audit.log to its archive name when it has grown past the
// keystore's limit (KmsOptions::audit_log_rotate_bytes) and starts a new
// audit.log whose first line chains to the archive's last line: one chain
// across all files, in the order of their names.
#ifndef ENVELOPE_LIB_KMS_AUDIT_CHAIN_H_
#define ENVELOPE_LIB_KMS_AUDIT_CHAIN_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "envelope/error.hpp"

namespace envelope::kms::internal {

inline constexpr char kAuditLogName[] = "audit.log";
// kMaxAuditLine is longer than any line we write.
inline constexpr size_t kMaxAuditLine = 256 * 1024;
// kZeroHash is the "prev" of the first line.
inline const std::string kZeroHash(64, '0');

// AuditHead is one position in the chain: line `seq` and its hash.
struct AuditHead {
  uint64_t seq = 0;
  std::string hash = kZeroHash;
};

// AuditLineHash returns the hex SHA-256 of `line` (without its newline).
std::string AuditLineHash(std::string_view line);

// ReadAuditHead reads `dir`/audit.head: nullopt when it does not exist,
// `malformed` when it is not a head line.
[[nodiscard]] Result<std::optional<AuditHead>> ReadAuditHead(const std::string& dir);

// WriteAuditHead rewrites `dir`/audit.head in place with `head`, fdatasync.
[[nodiscard]] Result<void> WriteAuditHead(const std::string& dir, const AuditHead& head);

// AuditArchiveName returns "audit-<first_seq, 20 digits>.log".
std::string AuditArchiveName(uint64_t first_seq);

// ParseAuditArchiveName returns the first sequence number an archive's name
// gives, nullopt for any other name.
std::optional<uint64_t> ParseAuditArchiveName(std::string_view name);

// AuditLogFile is one file of the log, oldest first.
struct AuditLogFile {
  std::string path;
  std::optional<uint64_t> first_seq;  // an archive's, from its name; nullopt for audit.log
};

// AuditLogFiles lists the log's files in `dir`: the archives in sequence
// order, then audit.log if it exists.
[[nodiscard]] Result<std::vector<AuditLogFile>> AuditLogFiles(const std::string& dir);

// AuditLineReader reads one private log file line by line in bounded memory.
class AuditLineReader {
 public:
  // Open opens `path` (owned by us, mode 0600 or stricter).
  [[nodiscard]] static Result<AuditLineReader> Open(const std::string& path);
  AuditLineReader(AuditLineReader&& other) noexcept;
  AuditLineReader& operator=(AuditLineReader&&) = delete;
  AuditLineReader(const AuditLineReader&) = delete;
  AuditLineReader& operator=(const AuditLineReader&) = delete;
  ~AuditLineReader();

  // Next returns the next line without its newline, valid until the next
  // call; nullopt at the end. A last line with no newline is returned with
  // complete() false; a line longer than kMaxAuditLine is `malformed`.
  [[nodiscard]] Result<std::optional<std::string_view>> Next();
  // complete reports whether the line Next returned ended with a newline.
  bool complete() const noexcept { return complete_; }

 private:
  AuditLineReader(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  int fd_ = -1;
  std::string path_;
  std::string buffer_;
  size_t begin_ = 0;  // start of the unread part of buffer_
  bool eof_ = false;
  bool complete_ = true;
};

}  // namespace envelope::kms::internal

#endif  // ENVELOPE_LIB_KMS_AUDIT_CHAIN_H_
