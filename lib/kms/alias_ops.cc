// Kms: aliases (CreateAlias, UpdateAlias, DeleteAlias, ListAliases).
#include "kms/kms_impl.h"

namespace envelope::kms {

namespace {

// TargetKey resolves an alias target: a key id, not another alias (AWS).
Result<internal::KeyRecord*> TargetKey(Txn& txn, std::string_view target) {
  txn.event.request["target_key_id"] = std::string(target);
  ENVELOPE_RETURN_IF_ERROR(internal::ValidateText(target, "key id or alias"));
  if (target.starts_with("alias/")) {
    return MakeError(ErrorCode::invalid_argument,
                     "ValidationException: an alias must point at a key id, not at another "
                     "alias ('" +
                         std::string(target) + "')");
  }
  auto key = internal::ResolveKey(txn.state, target);
  if (!key) return key;
  txn.event.key_id = internal::FormatKeyId((*key)->id);
  if (auto ok = internal::AuthorizeKey(txn, **key, target, "kms:" + txn.event.operation, {}); !ok) {
    return tl::unexpected(ok.error());
  }
  return key;
}

}  // namespace

Result<void> Kms::CreateAlias(std::string_view alias, std::string_view target) {
  return impl_->Run("CreateAlias", [&](Txn& txn) -> Result<void> {
    txn.event.request["alias"] = std::string(alias);
    if (auto ok = internal::ValidateAliasName(alias); !ok) return ok;
    auto key = TargetKey(txn, target);
    ENVELOPE_RETURN_IF_ERROR(key);
    ENVELOPE_RETURN_IF_ERROR(internal::ValidateNewAlias(txn.state, alias));
    txn.state.aliases[std::string(alias)] = {txn.event.key_id, txn.now_ms, txn.now_ms};
    txn.dirty = true;
    return {};
  });
}

Result<void> Kms::UpdateAlias(std::string_view alias, std::string_view target) {
  return impl_->Run("UpdateAlias", [&](Txn& txn) -> Result<void> {
    txn.event.request["alias"] = std::string(alias);
    if (auto ok = internal::ValidateAliasName(alias); !ok) return ok;
    if (auto ok = internal::ValidateText(target, "key id or alias"); !ok) return ok;
    const auto it = txn.state.aliases.find(std::string(alias));
    if (it == txn.state.aliases.end()) {
      return MakeError(ErrorCode::not_found, "NotFoundException: alias " + std::string(alias) +
                                                 " is not in this keystore");
    }
    auto key = TargetKey(txn, target);
    ENVELOPE_RETURN_IF_ERROR(key);
    it->second.key_id = txn.event.key_id;
    it->second.updated_ms = txn.now_ms;
    txn.dirty = true;
    return {};
  });
}

Result<void> Kms::DeleteAlias(std::string_view alias) {
  return impl_->Run("DeleteAlias", [&](Txn& txn) -> Result<void> {
    txn.event.request["alias"] = std::string(alias);
    if (auto ok = internal::ValidateText(alias, "alias name"); !ok) return ok;
    const auto it = txn.state.aliases.find(std::string(alias));
    if (it == txn.state.aliases.end()) {
      return MakeError(ErrorCode::not_found, "NotFoundException: alias " + std::string(alias) +
                                                 " is not in this keystore");
    }
    txn.event.key_id = it->second.key_id;
    if (auto ok = internal::AuthorizeKey(txn, txn.state.keys.at(it->second.key_id), alias,
                                         "kms:DeleteAlias", {});
        !ok) {
      return ok;
    }
    txn.state.aliases.erase(it);
    txn.dirty = true;
    return {};
  });
}

Result<std::vector<AliasEntry>> Kms::ListAliases(std::string_view key) {
  return impl_->RunRead("ListAliases", [&](Txn& txn) -> Result<std::vector<AliasEntry>> {
    ENVELOPE_RETURN_IF_ERROR(internal::AuthorizeAccount(txn, "kms:ListAliases"));
    std::string only;
    if (!key.empty()) {
      auto k = internal::ResolveKey(txn.state, key);
      ENVELOPE_RETURN_IF_ERROR(k);
      only = internal::FormatKeyId((*k)->id);
      txn.event.key_id = only;
    }
    std::vector<AliasEntry> out;
    for (const auto& [name, a] : txn.state.aliases) {
      if (!only.empty() && a.key_id != only) continue;
      out.push_back(
          {name, a.key_id, internal::FromMs(a.created_ms), internal::FromMs(a.updated_ms)});
    }
    return out;
  });
}

}  // namespace envelope::kms
