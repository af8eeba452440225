// SecretStore: PutValue, Describe, List, Delete, Restore, SetRotation.
#include <algorithm>

#include "secrets/secret_store_impl.h"
#include "secrets/service_audit.h"

namespace envelope::secrets {
namespace {

using internal::SecretTable;
using internal::StoredSecret;
using internal::StoredSecretVersion;

constexpr size_t kMaxVersions = 100;
constexpr int64_t kDayMs = 24LL * 3600 * 1000;

bool ValidStage(std::string_view stage) { return !stage.empty() && stage.size() <= 256; }

}  // namespace

Result<SecretValue> SecretStore::PutValue(std::string_view secret_id, NewSecretValue value,
                                          std::vector<std::string> stages) {
  const std::string token = value.client_request_token;
  auto outcome = [&]() -> Result<SecretValue> {
    if (value.value.empty() || value.value.size() > kMaxSecretValueSize) {
      return MakeError(ErrorCode::invalid_argument,
                       "InvalidParameterException: a secret value is 1 to 65536 bytes");
    }
    if (stages.empty()) stages.emplace_back(kStageCurrent);
    if (stages.size() > 20 || !std::all_of(stages.begin(), stages.end(),
                                           [](const std::string& s) { return ValidStage(s); })) {
      return MakeError(
          ErrorCode::invalid_argument,
          "InvalidParameterException: give 1 to 20 staging labels of 1 to 256 characters");
    }
    auto id = internal::NewVersionId(value.client_request_token);
    ENVELOPE_RETURN_IF_ERROR(id);
    SecretValue answer;
    auto done = internal::UpdateSecretTable(impl_->dir(), [&](SecretTable& t) -> Result<bool> {
      const int64_t now = impl_->NowMs();
      auto it = internal::FindSecret(t, secret_id, now);
      ENVELOPE_RETURN_IF_ERROR(it);
      StoredSecret& s = (*it)->second;
      ENVELOPE_RETURN_IF_ERROR(internal::Live(s));
      answer.arn = s.arn;
      answer.name = (*it)->first;
      auto same = std::find_if(s.versions.begin(), s.versions.end(),
                               [&](const StoredSecretVersion& v) { return v.id == *id; });
      if (same != s.versions.end()) {
        // Idempotent retry: the same token and the same value change nothing.
        auto old = internal::OpenSecretValue(impl_->kms, s.arn, same->id, same->sealed);
        ENVELOPE_RETURN_IF_ERROR(old);
        if (!old->Equals(value.value) || old->size() != value.value.size() ||
            same->binary != value.binary) {
          return MakeError(ErrorCode::invalid_argument,
                           "ResourceExistsException: You can't modify an existing version, you "
                           "can only create a new version.");
        }
        answer.version = {same->id, same->stages, internal::Info("", s).created};
        return false;
      }
      auto sealed = internal::SealSecretValue(impl_->kms, s.key_id, s.arn, *id, value.value);
      ENVELOPE_RETURN_IF_ERROR(sealed);
      s.versions.push_back({*id, {}, now, value.binary, sealed->first});
      for (const std::string& stage : stages) internal::MoveStage(s, *id, stage);
      // Versions without a label are kept until there are too many.
      while (s.versions.size() > kMaxVersions) {
        auto drop = std::find_if(s.versions.begin(), s.versions.end(),
                                 [](const StoredSecretVersion& v) { return v.stages.empty(); });
        if (drop == s.versions.end()) break;
        s.versions.erase(drop);
      }
      s.changed_ms = now;
      answer.version = {*id, s.versions.back().stages, impl_->Now()};
      return true;
    });
    ENVELOPE_RETURN_IF_ERROR(done);
    return answer;
  }();
  kms::ServiceCall call = internal::SecretCall("PutSecretValue", outcome, secret_id);
  if (!token.empty()) call.request["client_request_token"] = token;
  std::string joined;
  for (const std::string& stage : stages) joined += (joined.empty() ? "" : ",") + stage;
  if (!joined.empty()) call.request["version_stages"] = joined;
  return internal::Audited(impl_->kms, call, std::move(outcome));
}

Result<SecretInfo> SecretStore::Describe(std::string_view secret_id) {
  auto table = internal::ReadSecretTable(impl_->dir());
  ENVELOPE_RETURN_IF_ERROR(table);
  auto it = internal::FindSecret(*table, secret_id, impl_->NowMs());
  ENVELOPE_RETURN_IF_ERROR(it);
  return internal::Info((*it)->first, (*it)->second);
}

Result<std::vector<SecretInfo>> SecretStore::List(bool include_deleted) {
  auto table = internal::ReadSecretTable(impl_->dir());
  ENVELOPE_RETURN_IF_ERROR(table);
  const int64_t now = impl_->NowMs();
  std::vector<SecretInfo> out;
  for (const auto& [name, s] : *table) {
    if (s.deletion_ms && (s.deletion_ms <= now || !include_deleted)) continue;
    out.push_back(internal::Info(name, s));
  }
  return out;
}

Result<SecretInfo> SecretStore::Delete(std::string_view secret_id, int recovery_days, bool force) {
  auto outcome = [&]() -> Result<SecretInfo> {
    if (!force && (recovery_days < 7 || recovery_days > 30)) {
      return MakeError(ErrorCode::invalid_argument,
                       "InvalidParameterException: RecoveryWindowInDays must be 7 to 30");
    }
    SecretInfo info;
    auto done = internal::UpdateSecretTable(impl_->dir(), [&](SecretTable& t) -> Result<bool> {
      const int64_t now = impl_->NowMs();
      auto it = internal::FindSecret(t, secret_id, now);
      ENVELOPE_RETURN_IF_ERROR(it);
      StoredSecret& s = (*it)->second;
      if (s.deletion_ms != 0 && !force) {
        return MakeError(ErrorCode::key_state,
                         "InvalidRequestException: the secret is already scheduled for deletion");
      }
      s.deletion_ms = force ? now : now + recovery_days * kDayMs;
      info = internal::Info((*it)->first, s);
      if (force) t.erase(*it);
      return true;
    });
    ENVELOPE_RETURN_IF_ERROR(done);
    return info;
  }();
  kms::ServiceCall call = internal::SecretCall("DeleteSecret", outcome, secret_id);
  if (force) {
    call.request["force_delete_without_recovery"] = "true";
  } else {
    call.request["recovery_window_in_days"] = std::to_string(recovery_days);
  }
  return internal::Audited(impl_->kms, call, std::move(outcome));
}

Result<SecretInfo> SecretStore::Restore(std::string_view secret_id) {
  auto outcome = [&]() -> Result<SecretInfo> {
    SecretInfo info;
    auto done = internal::UpdateSecretTable(impl_->dir(), [&](SecretTable& t) -> Result<bool> {
      auto it = internal::FindSecret(t, secret_id, impl_->NowMs());
      ENVELOPE_RETURN_IF_ERROR(it);
      (*it)->second.deletion_ms = 0;
      info = internal::Info((*it)->first, (*it)->second);
      return true;
    });
    ENVELOPE_RETURN_IF_ERROR(done);
    return info;
  }();
  kms::ServiceCall call = internal::SecretCall("RestoreSecret", outcome, secret_id);
  return internal::Audited(impl_->kms, call, std::move(outcome));
}

Result<SecretInfo> SecretStore::SetRotation(std::string_view secret_id, std::string_view command,
                                            int every_days) {
  auto outcome = [&]() -> Result<SecretInfo> {
    if (every_days < 0 || every_days > 1000 || (!command.empty() && command.front() != '/')) {
      return MakeError(ErrorCode::invalid_argument,
                       "InvalidParameterException: give the rotation command as an absolute path "
                       "and a rotation period of 0 to 1000 days");
    }
    SecretInfo info;
    auto done = internal::UpdateSecretTable(impl_->dir(), [&](SecretTable& t) -> Result<bool> {
      const int64_t now = impl_->NowMs();
      auto it = internal::FindSecret(t, secret_id, now);
      ENVELOPE_RETURN_IF_ERROR(it);
      StoredSecret& s = (*it)->second;
      ENVELOPE_RETURN_IF_ERROR(internal::Live(s));
      if (command.empty() && s.rotation_command.empty()) {
        return MakeError(ErrorCode::invalid_argument,
                         "InvalidRequestException: No rotation command is configured for this "
                         "secret (envelope secrets rotate SECRET --command PATH)");
      }
      if (!command.empty()) s.rotation_command = std::string(command);
      s.rotation_days = every_days;
      const int64_t base = s.rotated_ms ? s.rotated_ms : now;
      s.next_rotation_ms = every_days ? base + every_days * kDayMs : 0;
      info = internal::Info((*it)->first, s);
      return true;
    });
    ENVELOPE_RETURN_IF_ERROR(done);
    return info;
  }();
  kms::ServiceCall call = internal::SecretCall("RotateSecret", outcome, secret_id);
  call.request["rotate_immediately"] = "false";
  call.request["automatically_after_days"] = std::to_string(every_days);
  return internal::Audited(impl_->kms, call, std::move(outcome));
}

}  // namespace envelope::secrets
