// VerifyAuditLog: one pass over every file of the audit log, oldest first,
// one line in memory at a time.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "kms/audit_chain.h"
#include "kms/audit_log.h"

namespace envelope::kms::internal {
namespace {

using nlohmann::json;

// ChainWalk checks lines in order and keeps the first problem; after one it
// only counts lines, so the report says how many there are.
class ChainWalk {
 public:
  // Line checks complete line `line` of `file` (with archive first-line
  // number `archive_seq` when it is an archive's first line).
  void Line(std::string_view line, bool complete, const std::string& where,
            std::optional<uint64_t> archive_seq) {
    const uint64_t i = ++lines_;
    if (problem_) return;
    const std::string at = "line " + std::to_string(i) + where;
    if (!complete) {
      return Fail(i, at + " is incomplete: the log was cut or a write was interrupted");
    }
    const json j = json::parse(line, nullptr, false);
    if (!j.is_object() || !j.contains("seq") || !j["seq"].is_number_unsigned() ||
        !j.contains("prev") || !j["prev"].is_string()) {
      return Fail(i, at + " is not an audit record");
    }
    const uint64_t seq = j["seq"].get<uint64_t>();
    if (archive_seq && *archive_seq != seq) {
      return Fail(i, "the archive" + where + " is named for line " + std::to_string(*archive_seq) +
                         " but begins with line " + std::to_string(seq));
    }
    if (seq > i) {
      return Fail(i, at + " is missing: the line found there is line " + std::to_string(seq) +
                         " (lines were deleted or reordered)");
    }
    if (seq < i) {
      return Fail(
          i, at + " is line " + std::to_string(seq) + " again: lines were reordered or duplicated");
    }
    if (j["prev"].get<std::string>() != prev_) {
      if (i == 1) return Fail(1, "line 1 does not start the chain (lines before it?)");
      return Fail(i - 1, "line " + std::to_string(i - 1) +
                             " was changed: it does not match the hash recorded in " + at);
    }
    before_prev_ = std::move(prev_);
    prev_ = AuditLineHash(line);
  }

  // Problem records a problem that is not one line's (an empty archive).
  void Problem(uint64_t line, std::string text) {
    if (!problem_) Fail(line, std::move(text));
  }

  // End checks the chain's end against audit.head (`head` nullopt: none;
  // `head_malformed`: present but not a head) and returns the report.
  AuditReport End(const std::optional<AuditHead>& head, bool head_malformed) {
    const uint64_t n = lines_;
    if (problem_) return Report(false);
    if (head_malformed) return Broken(n, "audit.head is malformed");
    if (!head) {
      if (n == 0) return AuditReport{};
      return Broken(n, "audit.head is missing: lines removed from the end would go unnoticed");
    }
    if (head->seq > n) {
      return Broken(n + 1, "line " + std::to_string(n + 1) +
                               " is missing: " + std::to_string(head->seq) + " lines were written");
    }
    if (head->seq == n && head->hash != prev_) {
      return Broken(n, "line " + std::to_string(n) + " was changed: it does not match audit.head");
    }
    if (head->seq + 1 == n) {
      // A crash between the append and the head update; the line before must
      // still be the anchored one.
      if (head->hash != before_prev_) {
        return Broken(n - 1, "line " + std::to_string(n - 1) + " does not match audit.head");
      }
    } else if (head->seq + 1 < n) {
      return Broken(head->seq + 2, "line " + std::to_string(head->seq + 2) +
                                       " was appended outside the KMS (not anchored)");
    }
    return AuditReport{true, n, 0, {}};
  }

 private:
  void Fail(uint64_t line, std::string text) {
    first_bad_ = line;
    problem_ = std::move(text);
  }
  AuditReport Broken(uint64_t line, std::string text) {
    Fail(line, std::move(text));
    return Report(false);
  }
  AuditReport Report(bool intact) const {
    return AuditReport{intact, lines_, first_bad_, problem_.value_or("")};
  }

  uint64_t lines_ = 0;
  std::string prev_ = kZeroHash;         // hash of line lines_
  std::string before_prev_ = kZeroHash;  // hash of line lines_ - 1
  uint64_t first_bad_ = 0;
  std::optional<std::string> problem_;
};

}  // namespace

Result<AuditReport> VerifyAuditLog(const std::string& dir) {
  ENVELOPE_ASSIGN_OR_RETURN(const auto files, AuditLogFiles(dir));
  auto head = ReadAuditHead(dir);
  const bool head_malformed = !head && head.error().code() == ErrorCode::malformed;
  if (!head && !head_malformed) return tl::unexpected(head.error());
  ChainWalk walk;
  for (const AuditLogFile& file : files) {
    // Lines are named by their number in the whole chain; with archives,
    // also by their file.
    const std::string where =
        files.size() > 1 ? " (" + file.path.substr(file.path.rfind('/') + 1) + ")" : "";
    ENVELOPE_ASSIGN_OR_RETURN(auto reader, AuditLineReader::Open(file.path));
    bool first = true;
    for (;;) {
      auto line = reader.Next();
      if (!line && line.error().code() == ErrorCode::malformed) {
        walk.Problem(0, "a line" + where + " is longer than any audit line");
        break;
      }
      ENVELOPE_RETURN_IF_ERROR(line);
      if (!*line) break;
      walk.Line(**line, reader.complete(), where, first ? file.first_seq : std::nullopt);
      first = false;
    }
    if (first && file.first_seq) {
      walk.Problem(*file.first_seq, "the archive" + where + " is empty");
    }
  }
  return walk.End(head_malformed ? std::nullopt : *head, head_malformed);
}

}  // namespace envelope::kms::internal
