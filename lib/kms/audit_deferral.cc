#include "kms/audit_deferral.h"

#include <mutex>
#include <optional>
#include <utility>

namespace envelope::kms {

// State counts the batches a deferral waits for; shared with the batcher's
// callbacks, so it outlives the scope that made it.
struct ScopedAuditDeferral::State {
  std::mutex mu;
  size_t pending = 0;
  std::optional<Error> error;
  std::function<void(Result<void>)> done;  // set by Then, taken when it runs

  // Report runs `done` (taken with mu held) outside the lock.
  static void Report(std::function<void(Result<void>)> done, const std::optional<Error>& error) {
    if (!done) return;
    if (error) {
      done(tl::unexpected(*error));
    } else {
      done(Result<void>{});
    }
  }

  void Completed(const Result<void>& written) {
    std::function<void(Result<void>)> run;
    std::optional<Error> error_copy;
    {
      std::lock_guard<std::mutex> lock(mu);
      --pending;
      if (!written && !error) error = written.error();
      if (pending == 0 && done) {
        run = std::move(done);
        done = nullptr;
        error_copy = error;
      }
    }
    Report(std::move(run), error_copy);
  }
};

namespace {
thread_local ScopedAuditDeferral* current_deferral = nullptr;
}  // namespace

ScopedAuditDeferral::ScopedAuditDeferral()
    : state_(std::make_shared<State>()), outer_(current_deferral) {
  current_deferral = this;
}

ScopedAuditDeferral::~ScopedAuditDeferral() { current_deferral = outer_; }

void ScopedAuditDeferral::Then(std::function<void(Result<void>)> done) {
  std::optional<Error> error_copy;
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    if (state_->pending > 0) {
      state_->done = std::move(done);
      return;
    }
    error_copy = state_->error;
  }
  State::Report(std::move(done), error_copy);
}

namespace internal {

bool DeferAudit(AuditBatcher& batcher, const std::string& dir, std::vector<AuditEvent>& events) {
  if (current_deferral == nullptr) return false;
  if (events.empty()) return true;
  std::shared_ptr<ScopedAuditDeferral::State> state = current_deferral->state_;
  {
    std::lock_guard<std::mutex> lock(state->mu);
    ++state->pending;
  }
  batcher.AppendAsync(dir, std::move(events),
                      [state](Result<void> written) { state->Completed(written); });
  return true;
}

}  // namespace internal
}  // namespace envelope::kms
