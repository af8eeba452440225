// lib/kms: the audit log, our CloudTrail: one JSON line per key operation in
// `audit.log`, each carrying the SHA-256 of the line before it, so a changed,
// deleted or reordered line breaks the chain where it happened.
//
//   {<a CloudTrail record: audit_record.h>,
//    "prev":"<hex SHA-256 of the previous line, 64 zeros for the first>",
//    "seq":17}
//
// Keys are sorted; "seq" counts lines from 1. Lines never hold key material
// or plaintext: only ids, versions, the (non-secret) encryption context and
// request parameters such as alias names and windows.
//
// `audit.head` anchors the end of the chain so a removed last line is
// noticed too; it is one fixed-size line rewritten in place after each
// append:   "envelope-audit-head 1 <seq, 20 digits> <hex SHA-256 of line seq>\n"
// A crash between the append and the head update leaves the head one line
// behind, which verification accepts. A torn last line (no newline: a crash
// mid-write) is cut off by the next append.
//
// Once audit.log has grown past the keystore's limit it is archived as
// audit-<seq of its first line>.log and a new audit.log continues the chain
// (audit_chain.h); verification walks every file in order.
#ifndef ENVELOPE_LIB_KMS_AUDIT_LOG_H_
#define ENVELOPE_LIB_KMS_AUDIT_LOG_H_

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>

#include "envelope/error.hpp"
#include "envelope/kms_types.hpp"

namespace envelope::kms::internal {

// AuditEvent is what one line records.
struct AuditEvent {
  TimePoint time;
  std::string operation;  // AWS name: "CreateKey", "Encrypt", ...
  std::string key_id;     // empty when no key was resolved
  uint32_t key_version = 0;
  EncryptionContext context;
  std::map<std::string, std::string> request;  // non-secret parameters
  std::optional<Error> error;                  // empty on success
  // source is CloudTrail's eventSource; a service built on the KMS
  // (Kms::AuditServiceCall) names its own, and the resource it worked on.
  std::string source = "kms.amazonaws.com";
  std::string resource_type;
  std::string resource_arn;
  // Where the keys live, for ARNs (KmsOptions); empty for keystore events.
  std::string partition = "aws";
  std::string region;
  std::string account;
};

// AppendAuditEvents appends one line per event to `dir`/audit.log and
// updates audit.head, with fdatasync, first archiving audit.log if it has
// reached `rotate_bytes` (0: never). The caller holds the keystore lock.
[[nodiscard]] Result<void> AppendAuditEvents(const std::string& dir,
                                             std::span<const AuditEvent> events,
                                             uint64_t rotate_bytes);

// VerifyAuditLog walks the chain in `dir` (every archive, then audit.log, in
// bounded memory) and reports the first line that is malformed, out of
// sequence (missing or reordered) or whose successor's hash does not match
// it (changed). `io` only when files cannot be read (audit_verify.cc).
[[nodiscard]] Result<AuditReport> VerifyAuditLog(const std::string& dir);

// FormatTime returns RFC 3339 UTC with milliseconds.
std::string FormatTime(TimePoint t);

}  // namespace envelope::kms::internal

#endif  // ENVELOPE_LIB_KMS_AUDIT_LOG_H_
