// lib/kms: group commit of audit lines.
//
// Operations that change no key (Encrypt, Decrypt, GenerateDataKey, ...)
// hand their lines to an AuditBatcher after releasing the keystore lock.
// Lines queue in the open batch; one writer at a time takes the whole open
// batch, appends it under the keystore lock with one pair of fdatasyncs (log
// and head) and reports it written, while the lines that arrive meanwhile
// fill the next batch. So concurrent requests share one flush, and a failed
// flush fails every operation of that batch.
//
// Two ways to wait. Append blocks its caller until its lines are durable;
// the first blocked caller that finds no write in progress becomes the
// writer. AppendAsync returns at once and calls `done` when the lines are
// durable (or failed), from the batcher's flusher thread, which it starts on
// first use; a network server answers from there instead of keeping a
// thread per request waiting (include/envelope/kms.hpp ScopedAuditDeferral).
#ifndef ENVELOPE_LIB_KMS_AUDIT_BATCH_H_
#define ENVELOPE_LIB_KMS_AUDIT_BATCH_H_

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "envelope/error.hpp"
#include "kms/audit_log.h"
#include "kms/file_io.h"

namespace envelope::kms::internal {

// AuditBatcher appends audit lines to one keystore folder's log in batches.
// Thread-safe. Its callers must not hold the keystore's file lock. The
// destructor writes what is queued, then stops the flusher thread.
class AuditBatcher {
 public:
  // Done receives the outcome of the batch that held the lines.
  using Done = std::function<void(Result<void>)>;

  // An AuditBatcher archives the log at `rotate_bytes` (AppendAuditEvents).
  explicit AuditBatcher(uint64_t rotate_bytes = 0) : rotate_bytes_(rotate_bytes) {}
  AuditBatcher(const AuditBatcher&) = delete;
  AuditBatcher& operator=(const AuditBatcher&) = delete;
  ~AuditBatcher();

  // Append queues `events` for `dir`'s log and returns once they are
  // durable, or with the error that kept their batch from being written.
  [[nodiscard]] Result<void> Append(const std::string& dir, std::vector<AuditEvent> events);

  // AppendAsync queues `events` for `dir`'s log and returns; `done` runs
  // exactly once when their batch is written or has failed, on the thread
  // that wrote it: the flusher, or a caller of Append that took the batch
  // (at once, on this thread, for no events or when the flusher cannot
  // start). `done` must be quick and must not call into this batcher.
  void AppendAsync(const std::string& dir, std::vector<AuditEvent> events, Done done);

 private:
  const uint64_t rotate_bytes_;

  struct Batch {
    std::string dir;
    std::vector<AuditEvent> events;
    std::vector<Done> callbacks;
    bool done = false;
    std::optional<Error> error;
  };

  // Enqueue (mu_ held) adds events to the open batch and returns it.
  std::shared_ptr<Batch> Enqueue(const std::string& dir, std::vector<AuditEvent>& events);
  // WriteOpenBatch (mu_ held in `lock`, no write in progress) writes the
  // open batch with the lock released and reports it.
  void WriteOpenBatch(std::unique_lock<std::mutex>& lock);
  void Flusher();

  std::mutex mu_;
  std::condition_variable written_;  // a batch was written
  std::condition_variable queued_;   // the flusher has work or must stop
  std::shared_ptr<Batch> open_;      // the batch taking new lines
  bool writing_ = false;
  bool open_has_callbacks_ = false;  // the flusher has a batch to write
  bool stopping_ = false;
  std::thread flusher_;
  // The writer's own handle on keystore.lock (only the writer uses it).
  std::optional<LockFile> lock_file_;
  std::string lock_dir_;
};

}  // namespace envelope::kms::internal

#endif  // ENVELOPE_LIB_KMS_AUDIT_BATCH_H_
