// lib/service: the KMS API's key policy and grant operations (PutKeyPolicy,
// GetKeyPolicy, ListKeyPolicies, CreateGrant, ListGrants, RetireGrant,
// RevokeGrant), in the shapes of botocore's kms/2014-11-01 model.
//
//   PutKeyPolicy  {"KeyId": ..., "PolicyName": "default", "Policy": "{...}",
//                  "BypassPolicyLockoutSafetyCheck": false}  -> {}
//   GetKeyPolicy  {"KeyId": ..., "PolicyName": "default"}    -> {"Policy": "{...}", "PolicyName":
//   "default"} CreateGrant   {"KeyId": ..., "GranteePrincipal": ARN, "Operations": ["Decrypt"],
//                  "Constraints": {"EncryptionContextSubset": {...}}} -> {"GrantId", "GrantToken"}
#include "service/kms_invocation.h"

namespace envelope::service::internal {
namespace {

constexpr size_t kMaxPrincipal = 256;

// PolicyName checks PolicyName, if given: "default" is the only one.
Step<void> PolicyName(const Request& r) {
  auto name = r.String("PolicyName", 128);
  ENVELOPE_RETURN_IF_ERROR(name);
  if (*name && **name != "default") {
    return Fail("NotFoundException",
                "the key has no policy named " + **name + "; its one policy is \"default\"");
  }
  return {};
}

Step<std::string> GrantId(const Request& r, bool required) {
  auto id = r.String("GrantId", 128);
  ENVELOPE_RETURN_IF_ERROR(id);
  if (!*id && required) return Invalid("GrantId", "null", "Member must not be null");
  return id->value_or("");
}

}  // namespace

Step<json> PutKeyPolicy(Invocation& call) {
  const Request& r = call.request;
  auto key = call.RequiredKey();
  ENVELOPE_RETURN_IF_ERROR(key);
  ENVELOPE_RETURN_IF_ERROR(PolicyName(r));
  auto policy = r.RequiredString("Policy", 131072);
  ENVELOPE_RETURN_IF_ERROR(policy);
  auto bypass = r.Boolean("BypassPolicyLockoutSafetyCheck");
  ENVELOPE_RETURN_IF_ERROR(bypass);
  if (auto done = call.K().PutKeyPolicy(*key, *policy, *bypass); !done)
    return FromError(done.error());
  return json::object();
}

Step<json> GetKeyPolicy(Invocation& call) {
  auto key = call.RequiredKey();
  ENVELOPE_RETURN_IF_ERROR(key);
  ENVELOPE_RETURN_IF_ERROR(PolicyName(call.request));
  auto policy = call.K().GetKeyPolicy(*key);
  if (!policy) return FromError(policy.error());
  return json{{"Policy", *policy}, {"PolicyName", "default"}};
}

Step<json> ListKeyPolicies(Invocation& call) {
  auto key = call.RequiredKey();
  ENVELOPE_RETURN_IF_ERROR(key);
  auto names = call.K().ListKeyPolicies(*key);
  if (!names) return FromError(names.error());
  return Page<std::string>(call.request, *names, "PolicyNames",
                           [](const std::string& n) { return json(n); });
}

Step<json> CreateGrant(Invocation& call) {
  const Request& r = call.request;
  kms::CreateGrantRequest request;
  auto key = call.RequiredKey();
  ENVELOPE_RETURN_IF_ERROR(key);
  request.key = *key;
  auto grantee = r.RequiredString("GranteePrincipal", kMaxPrincipal);
  ENVELOPE_RETURN_IF_ERROR(grantee);
  request.grantee_principal = *grantee;
  auto retiring = r.String("RetiringPrincipal", kMaxPrincipal);
  ENVELOPE_RETURN_IF_ERROR(retiring);
  request.retiring_principal = retiring->value_or("");
  auto operations = r.StringList("Operations", 20);
  ENVELOPE_RETURN_IF_ERROR(operations);
  request.operations = std::move(*operations);
  auto tokens = GrantTokens(r);
  ENVELOPE_RETURN_IF_ERROR(tokens);
  kms::ScopedGrantTokens grant_tokens(std::move(*tokens));
  auto name = r.String("Name", 256);
  ENVELOPE_RETURN_IF_ERROR(name);
  request.name = name->value_or("");
  auto constraints = r.Object("Constraints");  // GrantConstraints; empty when absent
  ENVELOPE_RETURN_IF_ERROR(constraints);
  auto equals = constraints->Context("EncryptionContextEquals");
  ENVELOPE_RETURN_IF_ERROR(equals);
  auto subset = constraints->Context("EncryptionContextSubset");
  ENVELOPE_RETURN_IF_ERROR(subset);
  request.context_equals = std::move(*equals);
  request.context_subset = std::move(*subset);
  auto grant = call.K().CreateGrant(request);
  if (!grant) return FromError(grant.error());
  return json{{"GrantId", grant->grant_id}, {"GrantToken", grant->grant_token}};
}

Step<json> ListGrants(Invocation& call) {
  const Request& r = call.request;
  auto key = call.RequiredKey();
  ENVELOPE_RETURN_IF_ERROR(key);
  auto only_id = GrantId(r, false);
  ENVELOPE_RETURN_IF_ERROR(only_id);
  auto only_grantee = r.String("GranteePrincipal", kMaxPrincipal);
  ENVELOPE_RETURN_IF_ERROR(only_grantee);
  auto grants = call.K().ListGrants(*key);
  if (!grants) return FromError(grants.error());
  std::vector<kms::GrantInfo> shown;
  for (kms::GrantInfo& g : *grants) {
    if (!only_id->empty() && g.grant_id != *only_id) continue;
    if (*only_grantee && g.grantee_principal != **only_grantee) continue;
    shown.push_back(std::move(g));
  }
  return Page<kms::GrantInfo>(r, shown, "Grants", [&](const kms::GrantInfo& g) {
    json entry = {{"KeyId", call.Use(g.key_id)},
                  {"GrantId", g.grant_id},
                  {"Name", g.name},
                  {"CreationDate", Seconds(g.creation_date)},
                  {"GranteePrincipal", g.grantee_principal},
                  {"IssuingAccount", g.issuing_account},
                  {"Operations", g.operations}};
    if (!g.retiring_principal.empty()) entry["RetiringPrincipal"] = g.retiring_principal;
    if (!g.context_equals.empty())
      entry["Constraints"]["EncryptionContextEquals"] = g.context_equals;
    if (!g.context_subset.empty())
      entry["Constraints"]["EncryptionContextSubset"] = g.context_subset;
    return entry;
  });
}

Step<json> RetireGrant(Invocation& call) {
  const Request& r = call.request;
  auto token = r.String("GrantToken", 8192);
  ENVELOPE_RETURN_IF_ERROR(token);
  auto id = GrantId(r, false);
  ENVELOPE_RETURN_IF_ERROR(id);
  auto key_id = r.String("KeyId", aws::kMaxKeyIdSize);
  ENVELOPE_RETURN_IF_ERROR(key_id);
  std::string key;
  if (*key_id) {
    auto resolved = call.Key(**key_id);
    ENVELOPE_RETURN_IF_ERROR(resolved);
    key = *resolved;
  }
  if (!*token && (id->empty() || key.empty())) {
    return Fail("ValidationException", "give GrantToken, or KeyId and GrantId");
  }
  if (auto done = call.K().RetireGrant(token->value_or(""), key, *id); !done)
    return FromError(done.error());
  return json::object();
}

Step<json> RevokeGrant(Invocation& call) {
  auto key = call.RequiredKey();
  ENVELOPE_RETURN_IF_ERROR(key);
  auto id = GrantId(call.request, true);
  ENVELOPE_RETURN_IF_ERROR(id);
  if (auto done = call.K().RevokeGrant(*key, *id); !done) return FromError(done.error());
  return json::object();
}

}  // namespace envelope::service::internal
