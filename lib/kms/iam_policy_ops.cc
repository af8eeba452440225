// Kms: key policies (PutKeyPolicy, GetKeyPolicy, ListKeyPolicies). The
// language is lib/policy's; who may use a key is iam_authorize.h's.
#include "kms/kms_impl.h"

namespace envelope::kms {

namespace internal {

Result<void> AttachKeyPolicy(Txn& txn, const std::string& key_id, std::string_view policy_text,
                             bool bypass) {
  auto doc = policy::ParsePolicy(policy_text, policy::PolicyKind::resource);
  ENVELOPE_RETURN_IF_ERROR(doc);
  if (!bypass) {
    auto caller = CurrentCaller(txn.state, *txn.options);
    ENVELOPE_RETURN_IF_ERROR(caller);
    const policy::Caller root{
        policy::RootArn(txn.options->account, txn.options->partition), txn.options->account, {}};
    for (const policy::Caller& who : {*caller, root}) {
      if (!WouldAllow(txn.state, *txn.options, who, key_id, *doc, "kms:PutKeyPolicy", txn.now)) {
        return MakeError(ErrorCode::invalid_argument,
                         "MalformedPolicyDocumentException: The new key policy will not allow "
                         "you to update the key policy in the future.");
      }
    }
  }
  txn.state.iam.key_policies[key_id] = std::string(policy_text);
  txn.dirty = true;
  return {};
}

}  // namespace internal

Result<void> Kms::PutKeyPolicy(std::string_view key, std::string_view policy_text,
                               bool bypass_lockout_check) {
  return impl_->Run("PutKeyPolicy", [&](Txn& txn) -> Result<void> {
    txn.event.request["policy_name"] = "default";
    txn.event.request["bypass_policy_lockout_safety_check"] =
        bypass_lockout_check ? "true" : "false";
    auto k = internal::ResolveAuthorizedKey(txn, key, "kms:PutKeyPolicy");
    ENVELOPE_RETURN_IF_ERROR(k);
    return internal::AttachKeyPolicy(txn, internal::FormatKeyId((*k)->id), policy_text,
                                     bypass_lockout_check);
  });
}

Result<std::string> Kms::GetKeyPolicy(std::string_view key) {
  return impl_->RunRead("GetKeyPolicy", [&](Txn& txn) -> Result<std::string> {
    auto k = internal::ResolveAuthorizedKey(txn, key, "kms:GetKeyPolicy");
    ENVELOPE_RETURN_IF_ERROR(k);
    return internal::KeyPolicyText(txn.state, *txn.options, internal::FormatKeyId((*k)->id));
  });
}

Result<std::vector<std::string>> Kms::ListKeyPolicies(std::string_view key) {
  return impl_->RunRead("ListKeyPolicies", [&](Txn& txn) -> Result<std::vector<std::string>> {
    auto k = internal::ResolveAuthorizedKey(txn, key, "kms:ListKeyPolicies");
    ENVELOPE_RETURN_IF_ERROR(k);
    return std::vector<std::string>{"default"};
  });
}

}  // namespace envelope::kms
