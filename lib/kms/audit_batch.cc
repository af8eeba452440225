#include "kms/audit_batch.h"

#include "kms/file_io.h"

namespace envelope::kms::internal {

Result<void> AuditBatcher::Append(const std::string& dir, std::vector<AuditEvent> events) {
  if (events.empty()) return {};
  std::unique_lock<std::mutex> lock(mu_);
  if (!open_) open_ = std::make_shared<Batch>();
  const std::shared_ptr<Batch> mine = open_;
  for (AuditEvent& e : events) mine->events.push_back(std::move(e));
  while (!mine->done) {
    if (writing_) {
      written_.wait(lock);
      continue;
    }
    // No write in progress and ours not written: ours is the open batch.
    writing_ = true;
    const std::shared_ptr<Batch> batch = std::move(open_);
    open_.reset();
    lock.unlock();
    Result<void> appended = [&]() -> Result<void> {
      auto file_lock = FileLock::Acquire(dir + "/keystore.lock");
      ENVELOPE_RETURN_IF_ERROR(file_lock);
      return AppendAuditEvents(dir, batch->events);
    }();
    lock.lock();
    batch->done = true;
    if (!appended) batch->error = appended.error();
    batch->events.clear();
    writing_ = false;
    written_.notify_all();
  }
  if (mine->error) return tl::unexpected(*mine->error);
  return {};
}

}  // namespace envelope::kms::internal
