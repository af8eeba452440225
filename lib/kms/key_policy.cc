#include "kms/key_policy.h"

#include <algorithm>
#include <limits>
#include <string>

#include "crypto/utf8.h"
#include "kms/key_id.h"

namespace envelope::kms::internal {
namespace {

std::string IdOf(const KeyRecord& key) { return FormatKeyId(key.id); }

tl::unexpected<Error> Validation(const Error& e) {
  return MakeError(ErrorCode::invalid_argument, "ValidationException: " + e.message());
}

}  // namespace

Result<void> ValidateText(std::string_view text, std::string_view what) {
  if (auto ok = crypto::CheckUtf8(text, what); !ok) return Validation(ok.error());
  return {};
}

Result<void> ValidateContext(const EncryptionContext& context, std::string_view what) {
  if (auto ok = crypto::CheckUtf8Map(context, what); !ok) return Validation(ok.error());
  return {};
}

int64_t ToMs(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

TimePoint FromMs(int64_t ms) {
  return TimePoint(std::chrono::duration_cast<TimePoint::duration>(std::chrono::milliseconds(ms)));
}

Result<KeyRecord*> ResolveKey(KeystoreState& state, std::string_view key) {
  ENVELOPE_RETURN_IF_ERROR(ValidateText(key, "key id or alias"));
  std::string id(key);
  if (key.starts_with("alias/")) {
    const auto alias = state.aliases.find(id);
    if (alias == state.aliases.end()) {
      return MakeError(ErrorCode::not_found,
                       "NotFoundException: alias " + id + " is not in this keystore");
    }
    id = alias->second.key_id;
  } else if (!ParseKeyId(key)) {
    return MakeError(ErrorCode::not_found,
                     "NotFoundException: invalid key id '" + id +
                         "'; hint: give a key id (a UUID) or an alias (alias/...)");
  } else {
    id = FormatKeyId(*ParseKeyId(key));  // accept upper case too
  }
  const auto found = state.keys.find(id);
  if (found != state.keys.end()) return &found->second;
  const auto tomb = state.deleted.find(id);
  if (tomb != state.deleted.end()) {
    return MakeError(ErrorCode::not_found,
                     "NotFoundException: key " + id + " was deleted on " +
                         FormatTime(FromMs(tomb->second)) +
                         "; its key material is destroyed and its ciphertexts can no longer be "
                         "decrypted");
  }
  return MakeError(ErrorCode::not_found,
                   "NotFoundException: key " + id + " is not in this keystore");
}

Result<void> RequireUsable(const KeyRecord& key) {
  if (key.state == KeyState::disabled) {
    return MakeError(ErrorCode::key_state, "DisabledException: key " + IdOf(key) +
                                               " is disabled; hint: enable it with EnableKey");
  }
  if (key.state == KeyState::pending_deletion) {
    return MakeError(ErrorCode::key_state,
                     "KMSInvalidStateException: key " + IdOf(key) + " is pending deletion on " +
                         FormatTime(FromMs(key.deletion_ms)) +
                         "; hint: CancelKeyDeletion, then EnableKey, to use it again");
  }
  return {};
}

Result<void> RequireEnabledForRotation(const KeyRecord& key, std::string_view op) {
  if (key.state == KeyState::disabled) {
    return MakeError(ErrorCode::key_state, "DisabledException: " + std::string(op) + ": key " +
                                               IdOf(key) + " is disabled");
  }
  return RequireNotPendingDeletion(key, op);
}

Result<void> RequireNotPendingDeletion(const KeyRecord& key, std::string_view op) {
  if (key.state == KeyState::pending_deletion) {
    return MakeError(ErrorCode::key_state, "KMSInvalidStateException: " + std::string(op) +
                                               ": key " + IdOf(key) + " is pending deletion");
  }
  return {};
}

Result<void> ValidateAliasName(std::string_view alias) {
  const auto bad = [&](const std::string& why) {
    return MakeError(ErrorCode::invalid_argument,
                     "InvalidAliasNameException: '" + std::string(alias) + "' " + why);
  };
  if (!crypto::IsValidUtf8(alias)) {
    return MakeError(ErrorCode::invalid_argument,
                     "InvalidAliasNameException: the alias name is not valid UTF-8");
  }
  if (!alias.starts_with("alias/") || alias.size() == 6) {
    return bad("must be alias/ followed by a name");
  }
  if (alias.size() > 256) return bad("is longer than 256 characters");
  if (alias.starts_with("alias/aws/")) return bad("is reserved (alias/aws/...)");
  for (char c : alias.substr(6)) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '/' || c == '_' || c == '-';
    if (!ok) return bad("may only contain letters, digits, '/', '_' and '-'");
  }
  return {};
}

Result<void> ValidateNewAlias(const KeystoreState& state, std::string_view alias) {
  ENVELOPE_RETURN_IF_ERROR(ValidateAliasName(alias));
  if (state.aliases.count(std::string(alias)) == 1) {
    return MakeError(ErrorCode::invalid_argument,
                     "AlreadyExistsException: alias " + std::string(alias) +
                         " already exists; hint: use UpdateAlias to point it elsewhere");
  }
  return {};
}

Result<void> ValidateTags(const Tags& tags) {
  if (auto ok = crypto::CheckUtf8Map(tags, "tag"); !ok) {
    return MakeError(ErrorCode::invalid_argument, "TagException: " + ok.error().message());
  }
  if (tags.size() > 50) {
    return MakeError(ErrorCode::invalid_argument, "TagException: more than 50 tags");
  }
  for (const auto& [k, v] : tags) {
    if (k.empty() || k.size() > 128 || v.size() > 256) {
      return MakeError(ErrorCode::invalid_argument,
                       "TagException: tag keys must be 1 to 128 characters and values at most "
                       "256 ('" +
                           k.substr(0, 128) + "')");
    }
  }
  return {};
}

Result<void> ValidateCreateKey(const CreateKeyRequest& request) {
  if (auto ok = ValidateText(request.description, "description"); !ok) return ok;
  if (request.description.size() > 8192) {
    return MakeError(ErrorCode::invalid_argument,
                     "ValidationException: description is longer than 8192 characters");
  }
  return ValidateTags(request.tags);
}

Result<KeyVersion> NewKeyVersion(uint32_t version, int64_t now_ms, VersionOrigin origin) {
  auto material = SecretBytes::Random(kKeyMaterialSize);
  ENVELOPE_RETURN_IF_ERROR(material);
  return KeyVersion{version, now_ms, origin, std::move(*material), {}};
}

KeyMetadata ToMetadata(const KeyRecord& key) {
  KeyMetadata m;
  m.key_id = IdOf(key);
  m.description = key.description;
  m.tags = key.tags;
  m.creation_date = FromMs(key.created_ms);
  m.state = key.state;
  if (key.state == KeyState::pending_deletion) {
    m.deletion_date = FromMs(key.deletion_ms);
    m.pending_window_days = key.pending_window_days;
  }
  m.current_version = key.versions.back().version;
  m.rotation_enabled = key.rotation_enabled;
  if (key.rotation_enabled) {
    m.rotation_period_days = key.rotation_period_days;
    m.next_rotation_date = FromMs(key.next_rotation_ms);
  }
  return m;
}

Result<bool> RunMaintenance(KeystoreState& state, TimePoint now, std::vector<AuditEvent>& events) {
  const int64_t now_ms = ToMs(now);
  bool changed = false;
  for (auto it = state.keys.begin(); it != state.keys.end();) {
    KeyRecord& key = it->second;
    const std::string id = it->first;
    if (key.state == KeyState::pending_deletion && now_ms >= key.deletion_ms) {
      for (auto a = state.aliases.begin(); a != state.aliases.end();) {
        a = a->second.key_id == id ? state.aliases.erase(a) : std::next(a);
      }
      state.deleted[id] = key.deletion_ms;
      events.push_back({now,
                        "DeleteKey",
                        id,
                        0,
                        {},
                        {{"deletion_date", FormatTime(FromMs(key.deletion_ms))},
                         {"versions_destroyed", std::to_string(key.versions.size())}},
                        {}});
      it = state.keys.erase(it);  // SecretBytes wipe the material
      changed = true;
      continue;
    }
    if (key.state == KeyState::enabled && key.rotation_enabled && now_ms >= key.next_rotation_ms) {
      auto v = NewKeyVersion(key.versions.back().version + 1, now_ms, VersionOrigin::automatic);
      ENVELOPE_RETURN_IF_ERROR(v);
      key.versions.push_back(std::move(*v));
      key.next_rotation_ms = now_ms + key.rotation_period_days * kMsPerDay;
      events.push_back({now,
                        "RotateKey",
                        id,
                        key.versions.back().version,
                        {},
                        {{"rotation_type", "AUTOMATIC"}},
                        {}});
      changed = true;
    }
    ++it;
  }
  return changed;
}

int64_t NextMaintenanceMs(const KeystoreState& state) {
  int64_t next = std::numeric_limits<int64_t>::max();
  for (const auto& [id, key] : state.keys) {
    // The same conditions as RunMaintenance's, as times.
    if (key.state == KeyState::pending_deletion) next = std::min(next, key.deletion_ms);
    if (key.state == KeyState::enabled && key.rotation_enabled) {
      next = std::min(next, key.next_rotation_ms);
    }
  }
  return next;
}

}  // namespace envelope::kms::internal
