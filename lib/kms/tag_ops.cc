// Kms: tags on keys (TagResource, UntagResource, ListResourceTags).
#include "crypto/utf8.h"
#include "kms/kms_impl.h"

namespace envelope::kms {
namespace {

// TaggableKey resolves `key` for a tag change: any key not pending deletion
// (AWS KMS refuses tag changes there with KMSInvalidStateException).
Result<internal::KeyRecord*> TaggableKey(Txn& txn, std::string_view key) {
  auto k = internal::ResolveKey(txn.state, key);
  if (!k) return k;
  txn.event.key_id = internal::FormatKeyId((*k)->id);
  if (auto ok = internal::AuthorizeKey(txn, **k, key, "kms:" + txn.event.operation, {}); !ok) {
    return tl::unexpected(ok.error());
  }
  if ((*k)->state == KeyState::pending_deletion) {
    return MakeError(ErrorCode::key_state,
                     "KMSInvalidStateException: key " + txn.event.key_id + " is pending deletion");
  }
  return k;
}

}  // namespace

Result<void> Kms::TagResource(std::string_view key, const Tags& tags) {
  return impl_->Run("TagResource", [&](Txn& txn) -> Result<void> {
    if (auto ok = internal::ValidateTags(tags); !ok) return ok;
    auto k = TaggableKey(txn, key);
    ENVELOPE_RETURN_IF_ERROR(k);
    Tags merged = (*k)->tags;
    for (const auto& [name, value] : tags) merged[name] = value;
    if (auto ok = internal::ValidateTags(merged); !ok) return ok;
    for (const auto& [name, value] : tags) txn.event.request["tag:" + name] = value;
    (*k)->tags = std::move(merged);
    txn.dirty = true;
    return {};
  });
}

Result<void> Kms::UntagResource(std::string_view key, const std::vector<std::string>& tag_keys) {
  return impl_->Run("UntagResource", [&](Txn& txn) -> Result<void> {
    for (const std::string& name : tag_keys) {
      if (auto ok = crypto::CheckUtf8(name, "tag key"); !ok) {
        return MakeError(ErrorCode::invalid_argument, "TagException: " + ok.error().message());
      }
    }
    auto k = TaggableKey(txn, key);
    ENVELOPE_RETURN_IF_ERROR(k);
    for (const std::string& name : tag_keys) {
      txn.event.request["untag:" + name] = "";
      if ((*k)->tags.erase(name) == 1) txn.dirty = true;
    }
    return {};
  });
}

Result<Tags> Kms::ListResourceTags(std::string_view key) {
  return impl_->RunRead("ListResourceTags", [&](Txn& txn) -> Result<Tags> {
    auto k = internal::ResolveKey(txn.state, key);
    ENVELOPE_RETURN_IF_ERROR(k);
    txn.event.key_id = internal::FormatKeyId((*k)->id);
    if (auto ok = internal::AuthorizeKey(txn, **k, key, "kms:ListResourceTags", {}); !ok) {
      return tl::unexpected(ok.error());
    }
    return (*k)->tags;
  });
}

}  // namespace envelope::kms
