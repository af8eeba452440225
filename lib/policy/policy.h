// lib/policy: the IAM policy language (the part AWS KMS uses), parsed and
// evaluated with no knowledge of keys or keystores.
//
//   {"Version": "2012-10-17", "Id": "...",
//    "Statement": [{"Sid": "...", "Effect": "Allow" | "Deny",
//                   "Principal": "*" | {"AWS": ARN | ACCOUNT | [...]},  (or NotPrincipal)
//                   "Action": "kms:Encrypt" | ["kms:*", ...],           (or NotAction)
//                   "Resource": "*" | ARN pattern | [...],              (or NotResource)
//                   "Condition": {"StringEquals": {"kms:CallerAccount": "111122223333"},
//                                 "ForAnyValue:StringLike": {...},
//                                 "NumericLessThanIfExists": {...}}}]}
//
// Evaluation is AWS's: a matching Deny statement wins, else a matching Allow
// allows, else the request is implicitly denied. A statement matches when
// its principal (resource policies only), action, resource and every
// condition match. Condition keys are matched case-insensitively; string
// values, ARNs and resources case-sensitively, actions case-insensitively.
// Policy variables ("${aws:username}", "${kms:CallerAccount}", the escapes
// "${*}", "${?}", "${$}", and "${key, 'default'}") are substituted in
// Resource and in the values of string and ARN conditions; a variable with
// no value makes that value match nothing.
//
// A document that does not parse is never evaluated: ParsePolicy refuses it
// with MalformedPolicyDocumentException, so an unreadable policy can never
// allow anything.
#ifndef ENVELOPE_LIB_POLICY_POLICY_H_
#define ENVELOPE_LIB_POLICY_POLICY_H_

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "envelope/error.hpp"

namespace envelope::policy {

// kMaxPolicySize is the largest document accepted (AWS's key policy limit).
inline constexpr size_t kMaxPolicySize = 32768;
// kMaxPolicyDepth bounds the JSON nesting of a document.
inline constexpr int kMaxPolicyDepth = 8;

// PolicyKind says whether a document is a resource policy (a key policy:
// every statement names a Principal) or an identity policy (attached to a
// user: no Principal).
enum class PolicyKind { resource, identity };

// ConditionOp is an operator's base comparison.
enum class ConditionOp {
  string_equals,
  string_not_equals,
  string_equals_ignore_case,
  string_not_equals_ignore_case,
  string_like,
  string_not_like,
  numeric_equals,
  numeric_not_equals,
  numeric_less_than,
  numeric_less_than_equals,
  numeric_greater_than,
  numeric_greater_than_equals,
  date_equals,
  date_not_equals,
  date_less_than,
  date_less_than_equals,
  date_greater_than,
  date_greater_than_equals,
  boolean,
  ip_address,
  not_ip_address,
  arn_equals,
  arn_not_equals,
  arn_like,
  arn_not_like,
  null,
};

// SetQualifier is an operator's "ForAnyValue:" / "ForAllValues:" prefix.
enum class SetQualifier { none, for_any_value, for_all_values };

// Condition is one key under one operator, with its values (any may match).
struct Condition {
  std::string op_name;  // as written, e.g. "ForAnyValue:StringLikeIfExists"
  ConditionOp op = ConditionOp::string_equals;
  SetQualifier set = SetQualifier::none;
  bool if_exists = false;
  std::string key;  // lowercased condition key, e.g. "kms:encryptioncontext:dept"
  std::vector<std::string> values;
};

// Statement is one statement of a document.
struct Statement {
  std::string sid;
  bool allow = true;
  bool has_principal = false;  // resource policies: Principal or NotPrincipal
  bool not_principal = false;
  std::vector<std::string> principals;  // "*", or normalised ARNs (accounts as ":root")
  bool not_action = false;
  std::vector<std::string> actions;
  bool not_resource = false;
  std::vector<std::string> resources;
  std::vector<Condition> conditions;
};

// Document is a parsed policy.
struct Document {
  std::string id;
  std::vector<Statement> statements;
};

// ParsePolicy parses and validates `text` as a document of `kind`. Fails with
// `invalid_argument` and "MalformedPolicyDocumentException: <what>" for
// anything out of shape: not JSON, over kMaxPolicySize or kMaxPolicyDepth,
// an unknown member or operator, a wrong Version, a value of a wrong type, a
// number, date or CIDR that does not parse.
[[nodiscard]] Result<Document> ParsePolicy(std::string_view text, PolicyKind kind);

// Caller is who makes a request.
struct Caller {
  std::string arn;        // "arn:aws:iam::111122223333:user/alice" or ":root"
  std::string account;    // "111122223333"
  std::string user_name;  // empty for an account's root
};

// RootArn returns "arn:<partition>:iam::<account>:root".
std::string RootArn(std::string_view account, std::string_view partition = "aws");

// RequestContext is what a request offers to evaluation: who, which action
// on which resource, and the values of its condition keys.
struct RequestContext {
  Caller caller;
  std::string action;    // "kms:Encrypt"
  std::string resource;  // the key's ARN
  // values maps lowercased condition keys to their values (one for a
  // single-valued key; a multivalued key such as kms:EncryptionContextKeys
  // may have several). A key that is absent is not in the map.
  std::map<std::string, std::vector<std::string>> values;

  // Set sets condition key `key` (any case) to `values`.
  void Set(std::string_view key, std::vector<std::string> key_values);
  // Find returns the values of `key` (lowercased), or nullptr when absent.
  const std::vector<std::string>* Find(std::string_view lowered_key) const;
};

// AddCallerKeys sets aws:username (users only), aws:PrincipalArn,
// aws:PrincipalAccount, aws:userid and kms:CallerAccount from `context.caller`.
void AddCallerKeys(RequestContext& context);

// AddEncryptionContext sets kms:EncryptionContext:<key> for each pair and the
// multivalued kms:EncryptionContextKeys (absent when the context is empty).
void AddEncryptionContext(RequestContext& context,
                          const std::map<std::string, std::string>& encryption_context);

// Decision is the outcome of evaluating one document.
enum class Decision { implicit_deny, allow, explicit_deny };

// Evaluate decides `request` under `document`. For a resource policy, a
// statement applies only to the principals it names ("*" names everyone; an
// account's root ARN names every principal of that account).
Decision Evaluate(const Document& document, PolicyKind kind, const RequestContext& request);

// WildcardMatch reports whether `text` matches `pattern`, where '*' matches
// any run of characters and '?' any one character; `fold_case` compares
// ASCII letters case-insensitively. Linear space, O(|pattern| * |text|) time
// at worst.
bool WildcardMatch(std::string_view pattern, std::string_view text, bool fold_case = false);

}  // namespace envelope::policy

#endif  // ENVELOPE_LIB_POLICY_POLICY_H_
