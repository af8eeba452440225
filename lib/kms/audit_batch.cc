#include "kms/audit_batch.h"

#include <system_error>

#include "kms/file_io.h"

namespace envelope::kms::internal {

AuditBatcher::~AuditBatcher() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  queued_.notify_all();
  if (flusher_.joinable()) flusher_.join();
}

std::shared_ptr<AuditBatcher::Batch> AuditBatcher::Enqueue(const std::string& dir,
                                                           std::vector<AuditEvent>& events) {
  if (!open_) {
    open_ = std::make_shared<Batch>();
    open_->dir = dir;
  }
  for (AuditEvent& e : events) open_->events.push_back(std::move(e));
  return open_;
}

void AuditBatcher::WriteOpenBatch(std::unique_lock<std::mutex>& lock) {
  writing_ = true;
  const std::shared_ptr<Batch> batch = std::move(open_);  // leaves open_ empty
  open_has_callbacks_ = false;
  lock.unlock();
  Result<void> appended = [&]() -> Result<void> {
    // One writer at a time (writing_), so one lock file of our own serves
    // every batch; it is not the Kms transactions' (lock_file_ is its own
    // open file description, so the two exclude each other).
    if (!lock_file_ || lock_dir_ != batch->dir) {
      auto opened = LockFile::Open(batch->dir + "/keystore.lock");
      ENVELOPE_RETURN_IF_ERROR(opened);
      lock_file_.emplace(std::move(*opened));
      lock_dir_ = batch->dir;
    }
    auto file_lock = lock_file_->Lock();
    ENVELOPE_RETURN_IF_ERROR(file_lock);
    return AppendAuditEvents(batch->dir, batch->events, rotate_bytes_);
  }();
  batch->events.clear();
  // The callbacks run before the blocked callers wake, outside the lock (a
  // callback may take its own locks); nobody else touches a taken batch.
  for (Done& done : batch->callbacks) done(appended);
  batch->callbacks.clear();
  lock.lock();
  batch->done = true;
  if (!appended) batch->error = appended.error();
  writing_ = false;
  written_.notify_all();
  if (open_has_callbacks_) queued_.notify_one();
}

Result<void> AuditBatcher::Append(const std::string& dir, std::vector<AuditEvent> events) {
  if (events.empty()) return {};
  std::unique_lock<std::mutex> lock(mu_);
  const std::shared_ptr<Batch> mine = Enqueue(dir, events);
  while (!mine->done) {
    if (writing_) {
      written_.wait(lock);
      continue;
    }
    // No write in progress and ours not written: ours is the open batch.
    WriteOpenBatch(lock);
  }
  if (mine->error) return tl::unexpected(*mine->error);
  return {};
}

void AuditBatcher::AppendAsync(const std::string& dir, std::vector<AuditEvent> events, Done done) {
  if (events.empty()) {
    done(Result<void>{});
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!flusher_.joinable() && !stopping_) {
      try {
        flusher_ = std::thread([this] { Flusher(); });
      } catch (const std::system_error&) {
        // No thread to wait on: fall through to writing it here.
      }
    }
    if (flusher_.joinable()) {
      const std::shared_ptr<Batch> batch = Enqueue(dir, events);
      batch->callbacks.push_back(std::move(done));
      open_has_callbacks_ = true;
      queued_.notify_one();
      return;
    }
  }
  done(Append(dir, std::move(events)));
}

void AuditBatcher::Flusher() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    queued_.wait(lock, [this] { return stopping_ || (open_has_callbacks_ && !writing_); });
    if (open_has_callbacks_ && !writing_) {
      WriteOpenBatch(lock);
      continue;
    }
    if (!writing_) return;  // stopping, nothing of ours queued
    written_.wait(lock);    // stopping while a caller of Append writes
  }
}

}  // namespace envelope::kms::internal
