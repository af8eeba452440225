// Kms: the key lifecycle operations (create, describe, enable/disable,
// deletion, rotation) and the managed default key.
#include <algorithm>

#include "kms/kms_impl.h"

namespace envelope::kms {

using internal::KeyRecord;
using internal::kMsPerDay;

namespace {

// Resolve finds `key` and records it on the transaction's audit line.
Result<KeyRecord*> Resolve(Txn& txn, std::string_view key) {
  auto found = internal::ResolveKey(txn.state, key);
  if (found) {
    txn.event.key_id = internal::FormatKeyId((*found)->id);
    txn.event.key_version = (*found)->versions.back().version;
    if (auto ok = internal::AuthorizeKey(txn, **found, key, "kms:" + txn.event.operation, {});
        !ok) {
      return tl::unexpected(ok.error());
    }
  } else {
    txn.event.request["key"] = std::string(key);
  }
  return found;
}

Result<KeyRecord*> AddKey(Txn& txn, const CreateKeyRequest& request) {
  ENVELOPE_RETURN_IF_ERROR(internal::ValidateCreateKey(request));
  auto id = request.multi_region ? internal::NewMultiRegionKeyId() : internal::NewKeyId();
  ENVELOPE_RETURN_IF_ERROR(id);
  auto version = internal::NewKeyVersion(1, txn.now_ms, internal::VersionOrigin::create);
  ENVELOPE_RETURN_IF_ERROR(version);
  KeyRecord key;
  key.id = *id;
  key.description = request.description;
  key.tags = request.tags;
  key.created_ms = txn.now_ms;
  key.versions.push_back(std::move(*version));
  const std::string text = internal::FormatKeyId(*id);
  auto [it, inserted] = txn.state.keys.emplace(text, std::move(key));
  if (!inserted) return MakeError(ErrorCode::internal, "kms: key id collision");
  txn.dirty = true;
  return &it->second;
}

}  // namespace

Result<KeyMetadata> Kms::CreateKey(const CreateKeyRequest& request) {
  return impl_->Run("CreateKey", [&](Txn& txn) -> Result<KeyMetadata> {
    txn.event.request["description_length"] = std::to_string(request.description.size());
    ENVELOPE_RETURN_IF_ERROR(internal::AuthorizeAccount(txn, "kms:CreateKey"));
    if (!request.alias.empty()) {
      txn.event.request["alias"] = request.alias;
      ENVELOPE_RETURN_IF_ERROR(internal::ValidateNewAlias(txn.state, request.alias));
    }
    auto key = AddKey(txn, request);
    ENVELOPE_RETURN_IF_ERROR(key);
    const std::string key_id = internal::FormatKeyId((*key)->id);
    // The key is the only change so far: a refusal below takes it back, so
    // a refused CreateKey changes nothing.
    const auto undo = [&](const Error& error) -> Result<KeyMetadata> {
      txn.state.keys.erase(key_id);
      txn.state.iam.key_policies.erase(key_id);
      txn.dirty = false;
      return tl::unexpected(error);
    };
    if (!request.policy.empty()) {
      auto attached = internal::AttachKeyPolicy(txn, key_id, request.policy,
                                                request.bypass_policy_lockout_safety_check);
      if (!attached) return undo(attached.error());
    }
    if (!request.alias.empty()) {
      // CreateAlias needs kms:CreateAlias on the key (its new policy applies).
      auto allowed = internal::AuthorizeKey(txn, **key, request.alias, "kms:CreateAlias", {});
      if (!allowed) return undo(allowed.error());
      txn.state.aliases[request.alias] = {key_id, txn.now_ms, txn.now_ms};
    }
    txn.event.key_id = key_id;
    txn.event.key_version = 1;
    return internal::ToMetadata(**key);
  });
}

Result<KeyMetadata> Kms::DescribeKey(std::string_view key) {
  return impl_->RunRead("DescribeKey", [&](Txn& txn) -> Result<KeyMetadata> {
    auto k = Resolve(txn, key);
    ENVELOPE_RETURN_IF_ERROR(k);
    return internal::ToMetadata(**k);
  });
}

Result<std::vector<KeyMetadata>> Kms::ListKeys() {
  return impl_->RunRead("ListKeys", [&](Txn& txn) -> Result<std::vector<KeyMetadata>> {
    ENVELOPE_RETURN_IF_ERROR(internal::AuthorizeAccount(txn, "kms:ListKeys"));
    std::vector<KeyMetadata> out;
    for (const auto& [id, k] : txn.state.keys) out.push_back(internal::ToMetadata(k));
    std::stable_sort(out.begin(), out.end(), [](const KeyMetadata& a, const KeyMetadata& b) {
      return a.creation_date < b.creation_date;
    });
    return out;
  });
}

Result<void> Kms::EnableKey(std::string_view key) {
  return impl_->Run("EnableKey", [&](Txn& txn) -> Result<void> {
    auto k = Resolve(txn, key);
    ENVELOPE_RETURN_IF_ERROR(k);
    if (auto ok = internal::RequireNotPendingDeletion(**k, "EnableKey"); !ok) return ok;
    if ((*k)->state != KeyState::enabled) {
      (*k)->state = KeyState::enabled;
      txn.dirty = true;
    }
    return {};
  });
}

Result<void> Kms::DisableKey(std::string_view key) {
  return impl_->Run("DisableKey", [&](Txn& txn) -> Result<void> {
    auto k = Resolve(txn, key);
    ENVELOPE_RETURN_IF_ERROR(k);
    if (auto ok = internal::RequireNotPendingDeletion(**k, "DisableKey"); !ok) return ok;
    if ((*k)->state != KeyState::disabled) {
      (*k)->state = KeyState::disabled;
      txn.dirty = true;
    }
    return {};
  });
}

Result<DeletionSchedule> Kms::ScheduleKeyDeletion(std::string_view key, int pending_days) {
  return impl_->Run("ScheduleKeyDeletion", [&](Txn& txn) -> Result<DeletionSchedule> {
    txn.event.request["pending_window_days"] = std::to_string(pending_days);
    auto k = Resolve(txn, key);
    ENVELOPE_RETURN_IF_ERROR(k);
    if (pending_days < kMinPendingWindowDays || pending_days > kMaxPendingWindowDays) {
      return MakeError(ErrorCode::invalid_argument,
                       "ValidationException: the pending window must be 7 to 30 days, got " +
                           std::to_string(pending_days));
    }
    ENVELOPE_RETURN_IF_ERROR(internal::RequireNotPendingDeletion(**k, "ScheduleKeyDeletion"));
    (*k)->state = KeyState::pending_deletion;
    (*k)->deletion_ms = txn.now_ms + pending_days * kMsPerDay;
    (*k)->pending_window_days = pending_days;
    txn.dirty = true;
    return DeletionSchedule{internal::FormatKeyId((*k)->id), internal::FromMs((*k)->deletion_ms),
                            pending_days};
  });
}

Result<KeyMetadata> Kms::CancelKeyDeletion(std::string_view key) {
  return impl_->Run("CancelKeyDeletion", [&](Txn& txn) -> Result<KeyMetadata> {
    auto k = Resolve(txn, key);
    ENVELOPE_RETURN_IF_ERROR(k);
    if ((*k)->state != KeyState::pending_deletion) {
      return MakeError(ErrorCode::key_state, "KMSInvalidStateException: CancelKeyDeletion: key " +
                                                 txn.event.key_id +
                                                 " is not pending deletion (it is " +
                                                 std::string(KeyStateName((*k)->state)) + ")");
    }
    (*k)->state = KeyState::disabled;  // as AWS KMS: re-enable explicitly
    (*k)->deletion_ms = 0;
    (*k)->pending_window_days = 0;
    txn.dirty = true;
    return internal::ToMetadata(**k);
  });
}

Result<void> Kms::EnableKeyRotation(std::string_view key, int period_days) {
  return impl_->Run("EnableKeyRotation", [&](Txn& txn) -> Result<void> {
    txn.event.request["rotation_period_days"] = std::to_string(period_days);
    auto k = Resolve(txn, key);
    ENVELOPE_RETURN_IF_ERROR(k);
    if (period_days < kMinRotationPeriodDays || period_days > kMaxRotationPeriodDays) {
      return MakeError(ErrorCode::invalid_argument,
                       "ValidationException: the rotation period must be 90 to 2560 days, got " +
                           std::to_string(period_days));
    }
    if (auto ok = internal::RequireEnabledForRotation(**k, "EnableKeyRotation"); !ok) return ok;
    KeyRecord& r = **k;
    if (!r.rotation_enabled || r.rotation_period_days != period_days) {
      r.rotation_enabled = true;
      r.rotation_period_days = period_days;
      r.next_rotation_ms = txn.now_ms + period_days * kMsPerDay;
      txn.dirty = true;
    }
    return {};
  });
}

Result<void> Kms::DisableKeyRotation(std::string_view key) {
  return impl_->Run("DisableKeyRotation", [&](Txn& txn) -> Result<void> {
    auto k = Resolve(txn, key);
    ENVELOPE_RETURN_IF_ERROR(k);
    if (auto ok = internal::RequireEnabledForRotation(**k, "DisableKeyRotation"); !ok) return ok;
    if ((*k)->rotation_enabled) {
      (*k)->rotation_enabled = false;
      (*k)->rotation_period_days = 0;
      (*k)->next_rotation_ms = 0;
      txn.dirty = true;
    }
    return {};
  });
}

Result<RotationStatus> Kms::GetKeyRotationStatus(std::string_view key) {
  return impl_->RunRead("GetKeyRotationStatus", [&](Txn& txn) -> Result<RotationStatus> {
    auto k = Resolve(txn, key);
    ENVELOPE_RETURN_IF_ERROR(k);
    RotationStatus s;
    s.key_id = internal::FormatKeyId((*k)->id);
    s.enabled = (*k)->rotation_enabled;
    if (s.enabled) {
      s.period_days = (*k)->rotation_period_days;
      s.next_rotation_date = internal::FromMs((*k)->next_rotation_ms);
    }
    for (const auto& v : (*k)->versions) {
      if (v.origin == internal::VersionOrigin::on_demand) {
        s.on_demand_rotation_start_date = internal::FromMs(v.created_ms);
      }
    }
    return s;
  });
}

Result<RotationEntry> Kms::RotateKeyOnDemand(std::string_view key) {
  return impl_->Run("RotateKeyOnDemand", [&](Txn& txn) -> Result<RotationEntry> {
    auto k = Resolve(txn, key);
    ENVELOPE_RETURN_IF_ERROR(k);
    ENVELOPE_RETURN_IF_ERROR(internal::RequireEnabledForRotation(**k, "RotateKeyOnDemand"));
    KeyRecord& r = **k;
    if (r.on_demand_rotations >= kMaxOnDemandRotations) {
      return MakeError(ErrorCode::limit_exceeded,
                       "LimitExceededException: key " + txn.event.key_id + " has had its " +
                           std::to_string(kMaxOnDemandRotations) + " on-demand rotations");
    }
    auto v = internal::NewKeyVersion(r.versions.back().version + 1, txn.now_ms,
                                     internal::VersionOrigin::on_demand);
    ENVELOPE_RETURN_IF_ERROR(v);
    r.versions.push_back(std::move(*v));
    ++r.on_demand_rotations;
    txn.dirty = true;
    txn.event.key_version = r.versions.back().version;
    return RotationEntry{txn.event.key_id, r.versions.back().version, txn.now,
                         RotationType::on_demand};
  });
}

Result<std::vector<RotationEntry>> Kms::ListKeyRotations(std::string_view key) {
  return impl_->RunRead("ListKeyRotations", [&](Txn& txn) -> Result<std::vector<RotationEntry>> {
    auto k = Resolve(txn, key);
    ENVELOPE_RETURN_IF_ERROR(k);
    std::vector<RotationEntry> out;
    for (const auto& v : (*k)->versions) {
      if (v.origin == internal::VersionOrigin::create) continue;
      out.push_back({txn.event.key_id, v.version, internal::FromMs(v.created_ms),
                     v.origin == internal::VersionOrigin::automatic ? RotationType::automatic
                                                                    : RotationType::on_demand});
    }
    return out;
  });
}

Result<KeyMetadata> Kms::DefaultKey() {
  return impl_->Run("DefaultKey", [&](Txn& txn) -> Result<KeyMetadata> {
    const std::string alias(kDefaultKeyAlias);
    txn.event.request["alias"] = alias;
    if (txn.state.aliases.count(alias) == 1) {
      auto k = Resolve(txn, alias);
      ENVELOPE_RETURN_IF_ERROR(k);
      // Finding the key changes nothing and returns no key material, and
      // every use of the key is logged by the operation that uses it
      // (GenerateDataKey, Decrypt, ...) with its id. So only the creation
      // below is logged: an audit line here cost every encryption two more
      // fdatasyncs.
      txn.event.operation.clear();
      return internal::ToMetadata(**k);
    }
    auto key = AddKey(txn, {.description = "managed default key (SSE-S3)", .tags = {}});
    ENVELOPE_RETURN_IF_ERROR(key);
    KeyRecord& r = **key;
    r.rotation_enabled = true;
    r.rotation_period_days = kDefaultRotationPeriodDays;
    r.next_rotation_ms = txn.now_ms + kDefaultRotationPeriodDays * kMsPerDay;
    txn.state.aliases[alias] = {internal::FormatKeyId(r.id), txn.now_ms, txn.now_ms};
    txn.event.key_id = internal::FormatKeyId(r.id);
    txn.event.key_version = 1;
    txn.extra.push_back({txn.now,
                         "CreateKey",
                         txn.event.key_id,
                         1,
                         {},
                         {{"alias", alias}, {"rotation_period_days", "365"}},
                         {}});
    return internal::ToMetadata(r);
  });
}

}  // namespace envelope::kms
