// SecretStore: Create, GetValue, PutValue, Describe, List, Delete, Restore.
#include <algorithm>

#include "crypto/random.h"
#include "crypto/utf8.h"
#include "kms/key_id.h"
#include "secrets/secret_store_impl.h"
#include "secrets/service_audit.h"

namespace envelope::secrets {
namespace internal {
namespace {

kms::TimePoint FromMs(int64_t ms) { return kms::TimePoint(std::chrono::milliseconds(ms)); }

bool Has(const std::vector<std::string>& list, std::string_view item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

}  // namespace

Result<SecretTable::iterator> FindSecret(SecretTable& table, std::string_view secret_id,
                                         int64_t now_ms) {
  auto it = table.find(std::string(secret_id));
  if (it == table.end()) {
    it = std::find_if(table.begin(), table.end(),
                      [&](const auto& entry) { return entry.second.arn == secret_id; });
  }
  if (it == table.end() || (it->second.deletion_ms != 0 && it->second.deletion_ms <= now_ms)) {
    return MakeError(ErrorCode::not_found,
                     "ResourceNotFoundException: Secrets Manager can't find the specified secret.");
  }
  return it;
}

Result<void> Live(const StoredSecret& s) {
  if (s.deletion_ms == 0) return {};
  return MakeError(ErrorCode::key_state,
                   "InvalidRequestException: You can't perform this operation on the secret "
                   "because it was marked for deletion.");
}

Result<std::string> NewVersionId(std::string_view token) {
  if (token.empty()) {
    auto id = kms::internal::NewKeyId();
    ENVELOPE_RETURN_IF_ERROR(id);
    return kms::internal::FormatKeyId(*id);
  }
  const bool ok = token.size() >= 32 && token.size() <= 64 &&
                  std::all_of(token.begin(), token.end(), [](char c) {
                    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                           (c >= '0' && c <= '9') || c == '-';
                  });
  if (!ok) {
    return MakeError(ErrorCode::invalid_argument,
                     "InvalidParameterException: ClientRequestToken must be 32 to 64 letters, "
                     "digits and hyphens");
  }
  return std::string(token);
}

void MoveStage(StoredSecret& s, const std::string& id, std::string_view stage) {
  std::string had;
  for (auto& v : s.versions) {
    if (v.id != id && Has(v.stages, stage)) {
      had = v.id;
      std::erase(v.stages, std::string(stage));
    }
  }
  for (auto& v : s.versions) {
    if (v.id == id && !Has(v.stages, stage)) v.stages.emplace_back(stage);
  }
  if (stage == kStageCurrent && !had.empty() && had != id) MoveStage(s, had, kStagePrevious);
}

SecretInfo Info(const std::string& name, const StoredSecret& s) {
  SecretInfo info;
  info.arn = s.arn;
  info.name = name;
  info.description = s.description;
  info.key_id = s.key_id;
  info.created = FromMs(s.created_ms);
  info.last_changed = FromMs(s.changed_ms);
  if (s.rotated_ms) info.last_rotated = FromMs(s.rotated_ms);
  if (s.deletion_ms) info.deletion_date = FromMs(s.deletion_ms);
  info.rotation_enabled = !s.rotation_command.empty() && s.rotation_days > 0;
  info.rotation_days = s.rotation_days;
  if (s.next_rotation_ms) info.next_rotation = FromMs(s.next_rotation_ms);
  for (const auto& v : s.versions) info.versions.push_back({v.id, v.stages, FromMs(v.created_ms)});
  return info;
}

Result<SecretValue> OpenVersion(kms::Kms& kms, const std::string& name, const StoredSecret& s,
                                const StoredSecretVersion& v) {
  auto value = OpenSecretValue(kms, s.arn, v.id, v.sealed);
  ENVELOPE_RETURN_IF_ERROR(value);
  return SecretValue{
      s.arn, name, {v.id, v.stages, FromMs(v.created_ms)}, std::move(*value), v.binary};
}

}  // namespace internal

namespace {

using internal::StoredSecret;
using internal::StoredSecretVersion;

Result<void> CheckName(std::string_view name) {
  const bool ok =
      !name.empty() && name.size() <= 512 && std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               std::string_view("/_+=.@-").find(c) != std::string_view::npos;
      });
  if (ok) return {};
  return MakeError(ErrorCode::invalid_argument,
                   "InvalidParameterException: a secret name is 1 to 512 letters, digits and "
                   "/_+=.@-");
}

Result<void> CheckValue(const NewSecretValue& v) {
  if (v.value.empty() || v.value.size() > kMaxSecretValueSize) {
    return MakeError(ErrorCode::invalid_argument,
                     "InvalidParameterException: a secret value is 1 to 65536 bytes");
  }
  if (!v.binary &&
      !crypto::IsValidUtf8({reinterpret_cast<const char*>(v.value.data()), v.value.size()})) {
    return MakeError(ErrorCode::invalid_argument,
                     "InvalidParameterException: SecretString is not valid UTF-8; store it as "
                     "SecretBinary");
  }
  return {};
}

Result<std::string> ArnSuffix() {
  static constexpr char kChars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  uint8_t random[6];
  ENVELOPE_RETURN_IF_ERROR(crypto::RandomBytes(random));
  std::string out = "-";
  for (uint8_t b : random) out += kChars[b % 62];
  return out;
}

// DefaultKey returns the managed key of secrets, creating it on first use
// (under the secrets lock, so only once).
Result<std::string> DefaultKey(kms::Kms& k) {
  auto existing = k.DescribeKey(kDefaultSecretKeyAlias);
  if (existing) return existing->key_id;
  if (existing.error().code() != ErrorCode::not_found) return tl::unexpected(existing.error());
  // The key and its alias in one transaction: a refused alias leaves no key.
  auto key = k.CreateKey({.description = "envelope: default key of secrets",
                          .alias = std::string(kDefaultSecretKeyAlias)});
  ENVELOPE_RETURN_IF_ERROR(key);
  ENVELOPE_RETURN_IF_ERROR(k.EnableKeyRotation(key->key_id));
  return key->key_id;
}

}  // namespace

Result<SecretStore> SecretStore::Open(kms::Kms& kms, ArnConfig config, kms::Clock clock) {
  return SecretStore(std::make_shared<Impl>(Impl{kms, std::move(config), std::move(clock)}));
}

Result<SecretValue> SecretStore::Create(std::string_view name, NewSecretValue value,
                                        std::string_view key, std::string_view description) {
  auto outcome = [&]() -> Result<SecretValue> {
    ENVELOPE_RETURN_IF_ERROR(CheckName(name));
    ENVELOPE_RETURN_IF_ERROR(CheckValue(value));
    if (description.size() > 2048 || !crypto::IsValidUtf8(description)) {
      return MakeError(
          ErrorCode::invalid_argument,
          "InvalidParameterException: the description is over 2048 characters or not UTF-8");
    }
    auto id = internal::NewVersionId(value.client_request_token);
    ENVELOPE_RETURN_IF_ERROR(id);
    SecretValue answer;
    auto done =
        internal::UpdateSecretTable(impl_->dir(), [&](internal::SecretTable& t) -> Result<bool> {
          const int64_t now = impl_->NowMs();
          std::erase_if(t, [&](const auto& e) {
            return e.second.deletion_ms && e.second.deletion_ms <= now;
          });
          if (t.count(std::string(name)) != 0) {
            return MakeError(ErrorCode::invalid_argument,
                             "ResourceExistsException: The operation failed because the secret " +
                                 std::string(name) + " already exists.");
          }
          auto suffix = ArnSuffix();
          ENVELOPE_RETURN_IF_ERROR(suffix);
          StoredSecret s;
          s.arn = "arn:" + impl_->config.partition + ":secretsmanager:" + impl_->config.region +
                  ":" + impl_->config.account + ":secret:" + std::string(name) + *suffix;
          std::string use_key(key);
          if (use_key.empty()) {
            auto k = DefaultKey(impl_->kms);
            ENVELOPE_RETURN_IF_ERROR(k);
            use_key = *k;
          }
          auto sealed = internal::SealSecretValue(impl_->kms, use_key, s.arn, *id, value.value);
          ENVELOPE_RETURN_IF_ERROR(sealed);
          s.key_id = sealed->second;
          s.description = std::string(description);
          s.created_ms = s.changed_ms = now;
          s.versions.push_back(
              {*id, {std::string(kStageCurrent)}, now, value.binary, sealed->first});
          answer = SecretValue{s.arn,
                               std::string(name),
                               {*id, {std::string(kStageCurrent)}, impl_->Now()},
                               {},
                               value.binary};
          t.emplace(std::string(name), std::move(s));
          return true;
        });
    ENVELOPE_RETURN_IF_ERROR(done);
    return answer;
  }();
  kms::ServiceCall call{internal::kSecretsSource,
                        "CreateSecret",
                        internal::kSecretResource,
                        outcome ? outcome->arn : std::string(),
                        {{"name", std::string(name)}}};
  if (!key.empty()) call.request["kms_key_id"] = std::string(key);
  if (!value.client_request_token.empty()) {
    call.request["client_request_token"] = value.client_request_token;
  }
  return internal::Audited(impl_->kms, call, std::move(outcome));
}

Result<SecretValue> SecretStore::GetValue(std::string_view secret_id, std::string_view version_id,
                                          std::string_view stage) {
  auto outcome = [&]() -> Result<SecretValue> {
    auto table = internal::ReadSecretTable(impl_->dir());
    ENVELOPE_RETURN_IF_ERROR(table);
    auto it = internal::FindSecret(*table, secret_id, impl_->NowMs());
    ENVELOPE_RETURN_IF_ERROR(it);
    const StoredSecret& s = (*it)->second;
    ENVELOPE_RETURN_IF_ERROR(internal::Live(s));
    const std::string_view want = stage.empty() && version_id.empty() ? kStageCurrent : stage;
    for (const StoredSecretVersion& v : s.versions) {
      if ((!version_id.empty() && v.id != version_id) ||
          (!want.empty() && std::find(v.stages.begin(), v.stages.end(), want) == v.stages.end())) {
        continue;
      }
      return internal::OpenVersion(impl_->kms, (*it)->first, s, v);
    }
    return MakeError(ErrorCode::not_found,
                     "ResourceNotFoundException: Secrets Manager can't find the specified secret "
                     "value for " +
                         std::string(version_id.empty() ? "staging label: " : "VersionId: ") +
                         std::string(version_id.empty() ? want : version_id));
  }();
  kms::ServiceCall call = internal::SecretCall("GetSecretValue", outcome, secret_id);
  if (!version_id.empty()) call.request["version_id"] = std::string(version_id);
  if (!stage.empty()) call.request["version_stage"] = std::string(stage);
  return internal::Audited(impl_->kms, call, std::move(outcome));
}

}  // namespace envelope::secrets
