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
#ifndef ENVELOPE_LIB_KMS_KMS_IMPL_H_
#define ENVELOPE_LIB_KMS_KMS_IMPL_H_

#include <mutex>
#include <optional>
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
  std::string dir;
  KmsOptions options;
  std::mutex mu;
  internal::KeystoreHeader header;  // mode, Argon2id costs and salt in use
  SecretBytes root_key;             // derived or loaded; empty until known
  SecretBytes passphrase;           // passphrase modes only
  std::optional<internal::KeystoreState> state;
  std::vector<uint8_t> state_digest;            // SHA-256 of the file `state` came from
  internal::PinnedFile pinned;                  // that file, held open; its stamp
  std::optional<internal::LockFile> lock_file;  // keystore.lock, opened once
  internal::AuditBatcher audit;                 // group commit of read-only operations' lines

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

 private:
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
    std::lock_guard<std::mutex> guard(mu);
    auto lock = LockKeystore();
    ENVELOPE_RETURN_IF_ERROR(lock);
    ENVELOPE_RETURN_IF_ERROR(Load());
    const TimePoint now = Now();
    auto maintenance = internal::RunMaintenance(*state, now, events);
    if (!maintenance) {
      state.reset();
      return tl::unexpected(maintenance.error());
    }
    Txn txn{*state, now, internal::ToMs(now)};
    txn.options = &options;
    txn.event.region = options.region;
    txn.event.account = options.account;
    txn.event.partition = options.partition;
    txn.event.time = now;
    txn.event.operation = std::string(operation);
    internal::AttachCaller(txn.event);
    result.emplace(body(txn));
    const Error* error = *result ? nullptr : &result->error();
    ENVELOPE_RETURN_IF_ERROR(Finish(txn, result->has_value(), *maintenance, events, error));
  }
  // Under a ScopedAuditDeferral the caller waits for the lines instead.
  if (internal::DeferAudit(audit, dir, events)) return std::move(*result);
  if (auto a = audit.Append(dir, std::move(events)); !a) {
    return tl::unexpected(a.error().WithContext("audit log (the operation itself was done)"));
  }
  return std::move(*result);
}

}  // namespace envelope::kms

#endif  // ENVELOPE_LIB_KMS_KMS_IMPL_H_
