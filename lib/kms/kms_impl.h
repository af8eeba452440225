// lib/kms: Kms::Impl, the transaction every public operation runs in.
//
// A transaction: take the in-process mutex and the inter-process flock;
// reload the keystore if its file changed (another process wrote it); run
// the time-driven maintenance (deletions, automatic rotations); run the
// operation's body against the in-memory state; if anything changed, write
// the whole keystore atomically and append the audit lines; release the
// lock. An operation that changed nothing (Encrypt, Decrypt, ...) appends its
// lines after releasing the lock, in a group commit with the concurrent
// operations of this process (audit_batch.h), and returns once they are
// durable (or at once under a ScopedAuditDeferral, whose owner waits). A body that fails must not
// have changed the state (bodies validate before they mutate); if one does anyway, its changes are
// dropped by reloading.
//
// A read-only operation (RunRead) first tries the shared path: under the
// mutex held shared, with no flock, when the state in memory is known to be
// the file's (its stamp unchanged since it was read or written, so no other
// process committed since) and no maintenance is due before now, its body
// runs against that state, concurrently with other readers. The file may be
// replaced by another process just after the stat: the read is then ordered
// before that commit, as it would be had it taken the lock first. Anything
// else (a changed file, a maintenance due, no state yet) takes the exclusive
// path above.
#ifndef ENVELOPE_LIB_KMS_KMS_IMPL_H_
#define ENVELOPE_LIB_KMS_KMS_IMPL_H_

#include <atomic>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <type_traits>
#include <vector>

#include "envelope/kms.hpp"
#include "kms/audit_batch.h"
#include "kms/audit_deferral.h"
#include "kms/audit_log.h"
#include "kms/file_io.h"
#include "kms/iam_authorize.h"
#include "kms/key_policy.h"
#include "kms/keystore_file.h"
#include "kms/keystore_state.h"

namespace envelope::kms {

inline constexpr char kKeystoreFileName[] = "keystore.kms";

namespace internal {
// AttachCaller records the current ScopedRequestCaller, if any, in the
// request parameters of `event` (access_key.cc).
void AttachCaller(AuditEvent& event);
}  // namespace internal

// Txn is what an operation's body sees.
struct Txn {
  internal::KeystoreState& state;
  TimePoint now;
  int64_t now_ms;
  bool dirty = false;                       // the body changed the state
  internal::AuditEvent event;               // the operation's own audit line
  std::vector<internal::AuditEvent> extra;  // further lines (DefaultKey's CreateKey)
  const KmsOptions* options = nullptr;      // the Kms's (account, region for ARNs)
};

struct Kms::Impl {
  explicit Impl(uint64_t audit_rotate_bytes) : audit(audit_rotate_bytes) {}

  std::string dir;
  KmsOptions options;
  std::shared_mutex mu;             // exclusive for transactions, shared for RunRead's fast path
  internal::KeystoreHeader header;  // mode, Argon2id costs and salt in use
  SecretBytes root_key;             // derived or loaded; empty until known
  SecretBytes passphrase;           // passphrase modes only
  std::optional<internal::KeystoreState> state;
  std::vector<uint8_t> state_digest;            // SHA-256 of the file `state` came from
  internal::PinnedFile pinned;                  // that file, held open; its stamp
  std::optional<internal::LockFile> lock_file;  // keystore.lock, opened once
  internal::AuditBatcher audit;                 // group commit of read-only operations' lines
  std::string keystore_path;                    // dir + "/" + kKeystoreFileName
  // The earliest time (ms) at which RunMaintenance has something to do in
  // `state`; written under the exclusive lock, read under the shared one.
  int64_t next_maintenance_ms = 0;
  // Set when a read-only body changed the state (a bug): the next
  // transaction reloads the file, and the shared path is closed until then.
  std::atomic<bool> stale{false};

  TimePoint Now() const;

  // LockKeystore (mu held) takes the keystore's inter-process lock through
  // lock_file, opening it on first use.
  [[nodiscard]] Result<internal::FileLock> LockKeystore();

  // Load (lock held) makes `state` current with the file on disk.
  [[nodiscard]] Result<void> Load();
  // Commit (lock held) writes `state` with generation + 1.
  [[nodiscard]] Result<void> Commit();
  // Create (lock held) makes the root key and an empty keystore.
  [[nodiscard]] Result<void> Create();

  // Run executes `body` (Result<T>(Txn&)) as operation `operation` in one
  // transaction. An empty `operation` logs only maintenance events.
  template <typename F>
  std::invoke_result_t<F, Txn&> Run(std::string_view operation, F&& body);

  // RunRead is Run for an operation whose body never changes the state
  // (`txn.dirty` stays false): it runs on the shared path when it can.
  template <typename F>
  std::invoke_result_t<F, Txn&> RunRead(std::string_view operation, F&& body);

 private:
  // BeginTxn makes the transaction of `operation` at `now` on `state`.
  Txn BeginTxn(std::string_view operation, TimePoint now);
  // CollectEvents moves the transaction's own lines (with the body's error)
  // into `events` and fills in the account of lines that have none.
  void CollectEvents(Txn& txn, const Error* body_error, std::vector<internal::AuditEvent>& events);
  // FreshForReading (mu held shared) reports whether `state` is the file's
  // and nothing stops a read-only body from running on it at `now_ms`.
  [[nodiscard]] bool FreshForReading(int64_t now_ms) const;
  // AppendAfterUnlock hands a finished operation's lines to the group commit.
  [[nodiscard]] Result<void> AppendAfterUnlock(std::vector<internal::AuditEvent>& events);

  // Finish commits the state if it changed and appends the lines then, or
  // leaves them in `events` for the group commit after the lock is released.
  [[nodiscard]] Result<void> Finish(Txn& txn, bool body_ok, bool maintenance_dirty,
                                    std::vector<internal::AuditEvent>& events,
                                    const Error* body_error);
};

template <typename F>
std::invoke_result_t<F, Txn&> Kms::Impl::Run(std::string_view operation, F&& body) {
  std::vector<internal::AuditEvent> events;
  std::optional<std::invoke_result_t<F, Txn&>> result;
  {
    std::unique_lock<std::shared_mutex> guard(mu);
    auto lock = LockKeystore();
    ENVELOPE_RETURN_IF_ERROR(lock);
    if (stale.exchange(false)) state.reset();
    ENVELOPE_RETURN_IF_ERROR(Load());
    const TimePoint now = Now();
    auto maintenance = internal::RunMaintenance(*state, now, events);
    if (!maintenance) {
      state.reset();
      return tl::unexpected(maintenance.error());
    }
    Txn txn = BeginTxn(operation, now);
    result.emplace(body(txn));
    const Error* error = *result ? nullptr : &result->error();
    auto finished = Finish(txn, result->has_value(), *maintenance, events, error);
    // Before any error return: a committed change whose lines failed to
    // append still moves the next maintenance.
    if (state) next_maintenance_ms = internal::NextMaintenanceMs(*state);
    ENVELOPE_RETURN_IF_ERROR(finished);
  }
  ENVELOPE_RETURN_IF_ERROR(AppendAfterUnlock(events));
  return std::move(*result);
}

template <typename F>
std::invoke_result_t<F, Txn&> Kms::Impl::RunRead(std::string_view operation, F&& body) {
  std::vector<internal::AuditEvent> events;
  std::optional<std::invoke_result_t<F, Txn&>> result;
  {
    std::shared_lock<std::shared_mutex> guard(mu);
    const TimePoint now = Now();
    if (!FreshForReading(internal::ToMs(now))) {
      guard.unlock();
      return Run(operation, std::forward<F>(body));
    }
    Txn txn = BeginTxn(operation, now);
    result.emplace(body(txn));
    if (txn.dirty) {
      stale = true;
      return MakeError(ErrorCode::internal,
                       "kms: a read-only operation changed the keystore state");
    }
    CollectEvents(txn, *result ? nullptr : &result->error(), events);
  }
  ENVELOPE_RETURN_IF_ERROR(AppendAfterUnlock(events));
  return std::move(*result);
}

}  // namespace envelope::kms

#endif  // ENVELOPE_LIB_KMS_KMS_IMPL_H_
