// lib/kms: group commit of audit lines.
//
// Operations that change no key (Encrypt, Decrypt, GenerateDataKey, ...)
// hand their lines to an AuditBatcher after releasing the keystore lock and
// wait until the lines are durable. The first waiter that finds no write in
// progress becomes the writer: it takes every line queued so far, appends
// them all under the keystore lock with one pair of fdatasyncs (log and
// head), and wakes the others. Lines that arrive meanwhile form the next
// batch. So concurrent requests share one flush, a caller still returns only
// once its own line is on disk, and a failed flush fails every operation of
// that batch.
#ifndef ENVELOPE_LIB_KMS_AUDIT_BATCH_H_
#define ENVELOPE_LIB_KMS_AUDIT_BATCH_H_

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "envelope/error.hpp"
#include "kms/audit_log.h"

namespace envelope::kms::internal {

// AuditBatcher appends audit lines to one keystore folder's log in batches.
// Thread-safe. Its callers must not hold the keystore's file lock.
class AuditBatcher {
 public:
  // Append queues `events` for `dir`'s log and returns once they are
  // durable, or with the error that kept their batch from being written.
  [[nodiscard]] Result<void> Append(const std::string& dir, std::vector<AuditEvent> events);

 private:
  struct Batch {
    std::vector<AuditEvent> events;
    bool done = false;
    std::optional<Error> error;
  };

  std::mutex mu_;
  std::condition_variable written_;
  std::shared_ptr<Batch> open_;  // the batch taking new lines
  bool writing_ = false;
};

}  // namespace envelope::kms::internal

#endif  // ENVELOPE_LIB_KMS_AUDIT_BATCH_H_
