// lib/kms: answering without a thread waiting per audit line.
//
// ScopedAuditDeferral lets a server answer many requests without a thread
// waiting for each one's audit line. While it lives on a thread, the Kms
// operations of that thread that change no key (Encrypt, Decrypt,
// GenerateDataKey, Describe..., List..., a refused request's line) return
// as soon as their result is known, their lines queued for the next group
// commit (audit_batch.h) instead of waited for. Operations that change the
// keystore still write their lines before they return. The owner must not
// release any result of the deferred operations (send an answer, print,
// store) before Then's callback says the lines are durable: an audit line
// that could not be written must fail the request, as it fails the call
// without deferral. lib/service's KmsService::HandleAsync is the user.
#ifndef ENVELOPE_LIB_KMS_AUDIT_DEFERRAL_H_
#define ENVELOPE_LIB_KMS_AUDIT_DEFERRAL_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "envelope/error.hpp"
#include "kms/audit_batch.h"
#include "kms/audit_log.h"

namespace envelope::kms {

namespace internal {

// DeferAudit hands `events` to `batcher` on behalf of this thread's current
// ScopedAuditDeferral and returns true; without one it leaves `events`
// alone and returns false (the caller then waits for them itself).
bool DeferAudit(AuditBatcher& batcher, const std::string& dir, std::vector<AuditEvent>& events);

}  // namespace internal

// ScopedAuditDeferral defers the audit waits of this thread's Kms calls
// while it lives. Not copyable or movable; nesting makes the inner scope the
// current one until it ends.
class ScopedAuditDeferral {
 public:
  ScopedAuditDeferral();
  ~ScopedAuditDeferral();
  ScopedAuditDeferral(const ScopedAuditDeferral&) = delete;
  ScopedAuditDeferral& operator=(const ScopedAuditDeferral&) = delete;

  // Then calls `done` exactly once: when every line deferred in this scope
  // so far is durable (with success) or one of their batches failed (with
  // the first error); at once on this thread if none is pending, else on
  // the thread that wrote the last one. Call it once, after the operations;
  // lines deferred after it are still written but not waited for. `done`
  // must be quick (it may run on the audit flusher thread) and must not
  // call the Kms.
  void Then(std::function<void(Result<void>)> done);

  // State is the bookkeeping shared with the batcher's callbacks.
  struct State;

 private:
  friend bool internal::DeferAudit(internal::AuditBatcher&, const std::string&,
                                   std::vector<internal::AuditEvent>&);

  std::shared_ptr<State> state_;
  ScopedAuditDeferral* outer_;
};

}  // namespace envelope::kms

#endif  // ENVELOPE_LIB_KMS_AUDIT_DEFERRAL_H_
