#include "kms/iam_authorize.h"

#include "kms/audit_log.h"
#include "kms/grant_token.h"
#include "kms/iam_grants.h"
#include "kms/kms_impl.h"

namespace envelope::kms::internal {
namespace {

using policy::Decision;
using policy::PolicyKind;

tl::unexpected<Error> Denied(const policy::Caller& caller, std::string_view action,
                             const std::string& resource, std::string_view why) {
  return MakeError(ErrorCode::unsupported,
                   "AccessDeniedException: User: " + caller.arn +
                       " is not authorized to perform: " + std::string(action) +
                       " on resource: " + resource + " " + std::string(why));
}

std::string Why(std::string_view kind, std::string_view action) {
  return "because no " + std::string(kind) + " policy allows the " + std::string(action) +
         " action";
}

std::string ExplicitDeny(std::string_view kind) {
  // AWS's article: "in an identity-based policy", "in a resource-based policy".
  return std::string("with an explicit deny in ") + (kind.starts_with('i') ? "an " : "a ") +
         std::string(kind) + " policy";
}

// Request builds the evaluation context of one request.
policy::RequestContext Request(const policy::Caller& caller, std::string_view action,
                               std::string resource, const EncryptionContext& context,
                               std::string_view key_ref, TimePoint now) {
  policy::RequestContext r;
  r.caller = caller;
  r.action = std::string(action);
  r.resource = std::move(resource);
  policy::AddCallerKeys(r);
  policy::AddEncryptionContext(r, context);
  r.Set("aws:CurrentTime", {FormatTime(now)});
  r.Set("aws:EpochTime",
        {std::to_string(
            std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count())});
  if (key_ref.starts_with("alias/")) r.Set("kms:RequestAlias", {std::string(key_ref)});
  if (const RequestCaller* rc = CurrentRequestCaller()) {
    if (rc->secure_transport)
      r.Set("aws:SecureTransport", {*rc->secure_transport ? "true" : "false"});
    if (!rc->source_ip.empty()) r.Set("aws:SourceIp", {rc->source_ip});
  }
  return r;
}

// Identity evaluates the caller's identity policy: a root may do anything
// in its own account; a user only what its policy allows.
Decision Identity(const KeystoreState& state, const policy::Caller& caller,
                  const policy::RequestContext& r) {
  if (caller.user_name.empty()) return Decision::allow;
  const auto user = state.iam.users.find(caller.user_name);
  if (user == state.iam.users.end() || user->second.policy.empty()) return Decision::implicit_deny;
  auto doc = policy::ParsePolicy(user->second.policy, PolicyKind::identity);
  // Stored policies were validated when put; one that no longer parses
  // allows nothing.
  if (!doc) return Decision::implicit_deny;
  return policy::Evaluate(*doc, PolicyKind::identity, r);
}

struct Verdict {
  bool allowed = false;
  std::string why;
};

Verdict Decide(const KeystoreState& state, const KmsOptions& options,
               const policy::Document& key_policy, const policy::RequestContext& r) {
  // The key policy is evaluated twice; only the principal matching differs:
  // through the account (its root ARN names the caller) and by name only.
  const bool root = r.caller.user_name.empty();
  const Decision by_account = policy::Evaluate(key_policy, PolicyKind::resource, r);
  Decision by_name = by_account;
  if (!root) {
    policy::RequestContext named = r;
    named.caller.account = "(none)";  // the account's root ARN no longer names it
    by_name = policy::Evaluate(key_policy, PolicyKind::resource, named);
  }
  const Decision identity = Identity(state, r.caller, r);
  if (by_account == Decision::explicit_deny) return {false, ExplicitDeny("resource-based")};
  if (identity == Decision::explicit_deny) return {false, ExplicitDeny("identity-based")};
  const bool same_account = r.caller.account == options.account;
  if (same_account && by_name == Decision::allow) return {true, {}};
  if (by_account != Decision::allow) return {false, Why("resource-based", r.action)};
  if (identity != Decision::allow) return {false, Why("identity-based", r.action)};
  return {true, {}};
}

}  // namespace

void RecordPrincipal(Txn& txn, const policy::Caller& caller) {
  txn.event.request["principal_arn"] = caller.arn;
  txn.event.request["principal_account"] = caller.account;
  if (!caller.user_name.empty()) txn.event.request["principal_user"] = caller.user_name;
}

std::string KeyArn(const KmsOptions& options, std::string_view key_id) {
  return "arn:" + options.partition + ":kms:" + options.region + ":" + options.account + ":key/" +
         std::string(key_id);
}

std::string DefaultKeyPolicy(const KmsOptions& options) {
  return R"({"Version":"2012-10-17","Id":"key-default-1","Statement":[{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":")" +
         policy::RootArn(options.account, options.partition) +
         R"("},"Action":"kms:*","Resource":"*"}]})";
}

std::string KeyPolicyText(const KeystoreState& state, const KmsOptions& options,
                          std::string_view key_id) {
  const auto it = state.iam.key_policies.find(std::string(key_id));
  return it == state.iam.key_policies.end() ? DefaultKeyPolicy(options) : it->second;
}

Result<policy::Caller> CurrentCaller(const KeystoreState& state, const KmsOptions& options) {
  policy::Caller caller{policy::RootArn(options.account, options.partition), options.account, {}};
  const RequestCaller* rc = CurrentRequestCaller();
  if (rc == nullptr || rc->access_key_id.empty()) return caller;
  const auto key_user = state.iam.access_key_users.find(rc->access_key_id);
  if (key_user == state.iam.access_key_users.end()) {
    if (state.access_keys.count(rc->access_key_id) == 1) return caller;
    return MakeError(ErrorCode::unsupported,
                     "AccessDeniedException: the access key no longer exists");
  }
  const auto user = state.iam.users.find(key_user->second);
  if (user == state.iam.users.end()) {
    return MakeError(ErrorCode::unsupported, "AccessDeniedException: the user no longer exists");
  }
  caller.account = user->second.account;
  caller.user_name = user->first;
  caller.arn = "arn:" + options.partition + ":iam::" + caller.account + ":user/" + user->first;
  return caller;
}

Result<KeyRecord*> ResolveAuthorizedKey(Txn& txn, std::string_view key, std::string_view action) {
  auto k = ResolveKey(txn.state, key);
  if (!k) {
    txn.event.request["key"] = std::string(key);
    return tl::unexpected(k.error());
  }
  txn.event.key_id = FormatKeyId((*k)->id);
  if (auto ok = AuthorizeKey(txn, **k, key, action, {}); !ok) return tl::unexpected(ok.error());
  return *k;
}

Result<void> AuthorizeKey(Txn& txn, const KeyRecord& key, std::string_view key_ref,
                          std::string_view action, const EncryptionContext& context) {
  const KmsOptions& options = *txn.options;
  auto caller = CurrentCaller(txn.state, options);
  ENVELOPE_RETURN_IF_ERROR(caller);
  RecordPrincipal(txn, *caller);
  // GrantTokens: checked before the policies (the audit line names the caller).
  ENVELOPE_RETURN_IF_ERROR(CheckGrantTokens(txn.state));
  const std::string key_id = FormatKeyId(key.id);
  const std::string resource = KeyArn(options, key_id);
  auto doc =
      policy::ParsePolicy(KeyPolicyText(txn.state, options, key_id), policy::PolicyKind::resource);
  if (!doc) return Denied(*caller, action, resource, "because its key policy does not parse");
  const auto r = Request(*caller, action, resource, context, key_ref, txn.now);
  const Verdict v = Decide(txn.state, options, *doc, r);
  if (v.allowed) return {};
  if (v.why.starts_with("because") &&
      GrantAllows(txn, key_id, caller->arn, action.substr(action.find(':') + 1), context)) {
    return {};
  }
  return Denied(*caller, action, resource, v.why);
}

Result<void> AuthorizeIdentity(Txn& txn, std::string_view action, std::string_view resource) {
  const KmsOptions& options = *txn.options;
  auto caller = CurrentCaller(txn.state, options);
  ENVELOPE_RETURN_IF_ERROR(caller);
  RecordPrincipal(txn, *caller);
  const std::string arn(resource);
  const auto r = Request(*caller, action, arn, {}, {}, txn.now);
  const Decision identity = Identity(txn.state, *caller, r);
  if (caller->account != options.account) {
    return Denied(*caller, action, arn, "because the caller is not in the keystore's account");
  }
  if (identity == Decision::allow) return {};
  return Denied(*caller, action, arn,
                identity == Decision::explicit_deny ? ExplicitDeny("identity-based")
                                                    : Why("identity-based", action));
}

Result<void> AuthorizeAccount(Txn& txn, std::string_view action) {
  return AuthorizeIdentity(txn, action, "*");
}

bool WouldAllow(const KeystoreState& state, const KmsOptions& options, const policy::Caller& caller,
                std::string_view key_id, const policy::Document& key_policy,
                std::string_view action, TimePoint now) {
  const auto r = Request(caller, action, KeyArn(options, key_id), {}, {}, now);
  return Decide(state, options, key_policy, r).allowed;
}

}  // namespace envelope::kms::internal
