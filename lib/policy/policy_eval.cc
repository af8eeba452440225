// lib/policy: request contexts and Evaluate.
#include <algorithm>

#include "policy/policy_match.h"

namespace envelope::policy {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  });
  return out;
}

bool PrincipalMatches(const Statement& s, const Caller& caller) {
  const std::string root = RootArn(caller.account);
  const bool named =
      std::any_of(s.principals.begin(), s.principals.end(), [&](const std::string& p) {
        // An account's root ARN names every principal of the account.
        return p == "*" || p == caller.arn || p == root;
      });
  return s.not_principal ? !named : named;
}

bool ActionMatches(const Statement& s, std::string_view action) {
  const bool named = std::any_of(s.actions.begin(), s.actions.end(), [&](const std::string& a) {
    return WildcardMatch(a, action, true);
  });
  return s.not_action ? !named : named;
}

bool ResourceMatches(const Statement& s, const RequestContext& request) {
  const bool named = std::any_of(s.resources.begin(), s.resources.end(), [&](const std::string& r) {
    const auto pattern = internal::Substitute(r, request);
    return pattern && internal::MatchPattern(*pattern, request.resource, false, true);
  });
  return s.not_resource ? !named : named;
}

bool StatementMatches(const Statement& s, PolicyKind kind, const RequestContext& request) {
  if (kind == PolicyKind::resource && !PrincipalMatches(s, request.caller)) return false;
  if (!ActionMatches(s, request.action) || !ResourceMatches(s, request)) return false;
  return std::all_of(s.conditions.begin(), s.conditions.end(),
                     [&](const Condition& c) { return internal::ConditionHolds(c, request); });
}

}  // namespace

std::string RootArn(std::string_view account, std::string_view partition) {
  return "arn:" + std::string(partition) + ":iam::" + std::string(account) + ":root";
}

void RequestContext::Set(std::string_view key, std::vector<std::string> key_values) {
  values[Lower(key)] = std::move(key_values);
}

const std::vector<std::string>* RequestContext::Find(std::string_view lowered_key) const {
  const auto it = values.find(std::string(lowered_key));
  return it == values.end() ? nullptr : &it->second;
}

void AddCallerKeys(RequestContext& context) {
  const Caller& c = context.caller;
  if (!c.user_name.empty()) context.Set("aws:username", {c.user_name});
  context.Set("aws:PrincipalArn", {c.arn});
  context.Set("aws:PrincipalAccount", {c.account});
  context.Set("aws:userid", {c.user_name.empty() ? c.account : c.user_name});
  context.Set("kms:CallerAccount", {c.account});
}

void AddEncryptionContext(RequestContext& context,
                          const std::map<std::string, std::string>& encryption_context) {
  std::vector<std::string> keys;
  for (const auto& [key, value] : encryption_context) {
    context.Set("kms:EncryptionContext:" + key, {value});
    keys.push_back(key);
  }
  if (!keys.empty()) context.Set("kms:EncryptionContextKeys", std::move(keys));
}

Decision Evaluate(const Document& document, PolicyKind kind, const RequestContext& request) {
  bool allowed = false;
  for (const Statement& s : document.statements) {
    if (!StatementMatches(s, kind, request)) continue;
    if (!s.allow) return Decision::explicit_deny;
    allowed = true;
  }
  return allowed ? Decision::allow : Decision::implicit_deny;
}

}  // namespace envelope::policy
