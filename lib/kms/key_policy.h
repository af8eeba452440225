// lib/kms: the rules of the key lifecycle, shared by every operation:
// resolving key references (ids, aliases, tombstones) with AWS error names,
// which states allow what, input validation, and the time-driven work
// (automatic rotation, deletion after the window) done before each operation.
#ifndef ENVELOPE_LIB_KMS_KEY_POLICY_H_
#define ENVELOPE_LIB_KMS_KEY_POLICY_H_

#include <cstdint>
#include <string_view>
#include <vector>

#include "envelope/error.hpp"
#include "envelope/kms_types.hpp"
#include "kms/audit_log.h"
#include "kms/keystore_state.h"

namespace envelope::kms::internal {

inline constexpr int64_t kMsPerDay = 86'400'000;

// ToMs and FromMs convert between time points and stored unix milliseconds.
int64_t ToMs(TimePoint t);
TimePoint FromMs(int64_t ms);

// ValidateText refuses `text` that is not UTF-8 with `invalid_argument`
// "ValidationException: `what` is not valid UTF-8", never echoing the bytes.
// Every text a caller hands the KMS is checked with it (or with
// ValidateContext) before it reaches an error message, the keystore or the
// audit log.
[[nodiscard]] Result<void> ValidateText(std::string_view text, std::string_view what);

// ValidateContext refuses an encryption context with a key or value that is
// not UTF-8, naming it: "ValidationException: encryption context value for
// key \"k\" is not valid UTF-8". `what` is "encryption context" or, for
// ReEncrypt, "source encryption context" / "destination encryption context".
[[nodiscard]] Result<void> ValidateContext(const EncryptionContext& context,
                                           std::string_view what = "encryption context");

// ResolveKey finds the key `key` names (a key id or "alias/..."). Unknown
// ids and aliases are `not_found` NotFoundException; a deleted key's id is
// `not_found` saying when it was deleted and that its ciphertexts are gone;
// a reference that is not UTF-8 is `invalid_argument`.
[[nodiscard]] Result<KeyRecord*> ResolveKey(KeystoreState& state, std::string_view key);

// RequireUsable allows cryptographic use only of enabled keys:
// DisabledException or KMSInvalidStateException (`key_state`) otherwise.
[[nodiscard]] Result<void> RequireUsable(const KeyRecord& key);

// RequireEnabledForRotation applies the AWS key-state table of the rotation
// operations (Disabled: DisabledException; PendingDeletion:
// KMSInvalidStateException).
[[nodiscard]] Result<void> RequireEnabledForRotation(const KeyRecord& key, std::string_view op);

// RequireNotPendingDeletion refuses `op` on a key pending deletion with
// KMSInvalidStateException.
[[nodiscard]] Result<void> RequireNotPendingDeletion(const KeyRecord& key, std::string_view op);

// ValidateAliasName accepts "alias/" followed by 1 to 250 of [A-Za-z0-9/_-],
// not "alias/aws/..." (reserved, as in AWS). A name that is not UTF-8 is
// refused without being echoed.
[[nodiscard]] Result<void> ValidateAliasName(std::string_view alias);

// ValidateNewAlias checks `alias` as the name of a new alias in `state`:
// ValidateAliasName, then AlreadyExistsException when it is taken.
[[nodiscard]] Result<void> ValidateNewAlias(const KeystoreState& state, std::string_view alias);

// ValidateTags checks a key's whole tag set: UTF-8, at most 50 tags, keys
// of 1 to 128 characters, values of at most 256 (TagException).
[[nodiscard]] Result<void> ValidateTags(const Tags& tags);

// ValidateCreateKey checks the description (at most 8192 characters) and
// tags (at most 50; keys 1..128, values up to 256 characters), all UTF-8.
[[nodiscard]] Result<void> ValidateCreateKey(const CreateKeyRequest& request);

// NewKeyVersion makes version `version` with fresh random material.
[[nodiscard]] Result<KeyVersion> NewKeyVersion(uint32_t version, int64_t now_ms,
                                               VersionOrigin origin);

// ToMetadata describes `key` as DescribeKey does.
KeyMetadata ToMetadata(const KeyRecord& key);

// RunMaintenance destroys keys whose deletion window has passed (keeping a
// tombstone, dropping their aliases) and rotates enabled keys whose rotation
// period has elapsed, appending one audit event for each. Returns whether
// anything changed.
[[nodiscard]] Result<bool> RunMaintenance(KeystoreState& state, TimePoint now,
                                          std::vector<AuditEvent>& events);

// NextMaintenanceMs returns the earliest time (ms since the epoch) at which
// RunMaintenance would change `state`: a pending deletion's date or an
// enabled key's next automatic rotation; INT64_MAX when there is none.
int64_t NextMaintenanceMs(const KeystoreState& state);

}  // namespace envelope::kms::internal

#endif  // ENVELOPE_LIB_KMS_KEY_POLICY_H_
