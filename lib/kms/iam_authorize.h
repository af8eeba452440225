// lib/kms: the authorization stage: may this caller do this to this key?
//
// The caller is the current ScopedRequestCaller's access key's user, or the
// keystore owner's root (an access key of no user, or no network request
// at all: the CLI and the library on the keystore's own machine). A request
// on a key is decided as AWS KMS decides it:
//
//   1. an explicit Deny in the key policy or the caller's identity policy,
//      or (for grants) none of the below: AccessDeniedException;
//   2. the key policy allows the caller by name (its ARN, or "*"): allowed,
//      if the caller is in the key's account;
//   3. the key policy allows the caller's account (its root ARN): allowed
//      when the caller is that root, or its identity policy allows too;
//      a caller of another account always needs both (cross-account);
//   4. a grant on the key for the caller, the operation and a matching
//      encryption context: allowed;
//   5. else the implicit deny: AccessDeniedException.
// Requests on no key (CreateKey, ListKeys, ListAliases) and on the
// resources of the services built on the KMS (SSM parameters, secrets:
// AuthorizeIdentity) need the owner's root or a user of the owner's account
// whose identity policy allows them.
//
// AccessDeniedException messages are AWS's:
//   User: arn:aws:iam::111122223333:user/bob is not authorized to perform:
//   kms:Encrypt on resource: arn:aws:kms:us-east-1:111122223333:key/ID
//   because no resource-based policy allows the kms:Encrypt action
#ifndef ENVELOPE_LIB_KMS_IAM_AUTHORIZE_H_
#define ENVELOPE_LIB_KMS_IAM_AUTHORIZE_H_

#include <string>
#include <string_view>

#include "envelope/error.hpp"
#include "envelope/kms_types.hpp"
#include "kms/keystore_state.h"
#include "policy/policy.h"

namespace envelope::kms {
struct Txn;
}  // namespace envelope::kms

namespace envelope::kms::internal {

// CurrentRequestCaller returns the caller of the innermost live
// ScopedRequestCaller on this thread, or nullptr (access_key_ops.cc).
const RequestCaller* CurrentRequestCaller();

// KeyArn returns the ARN of key id `key_id` under `options`.
std::string KeyArn(const KmsOptions& options, std::string_view key_id);

// DefaultKeyPolicy returns the key policy of a key created without one: the
// account's root may do everything (AWS KMS's default key policy).
std::string DefaultKeyPolicy(const KmsOptions& options);

// KeyPolicyText returns the policy of key `key_id` (the default if none).
std::string KeyPolicyText(const KeystoreState& state, const KmsOptions& options,
                          std::string_view key_id);

// CurrentCaller resolves the current caller to a principal. Fails with
// AccessDeniedException when its access key or user no longer exists.
[[nodiscard]] Result<policy::Caller> CurrentCaller(const KeystoreState& state,
                                                   const KmsOptions& options);

// AuthorizeKey decides `action` ("kms:Encrypt") by the current caller on
// `key`, named in the request as `key_ref` (for kms:RequestAlias), with
// encryption context `context`; it records the caller on the audit line.
[[nodiscard]] Result<void> AuthorizeKey(Txn& txn, const KeyRecord& key, std::string_view key_ref,
                                        std::string_view action, const EncryptionContext& context);

// ResolveAuthorizedKey resolves `key` (recording it on the audit line, or
// the reference when it names no key) and authorizes `action` on it with no
// encryption context: the key lookup of the policy and grant operations.
[[nodiscard]] Result<KeyRecord*> ResolveAuthorizedKey(Txn& txn, std::string_view key,
                                                      std::string_view action);

// AuthorizeAccount decides `action` on no key (resource "*").
[[nodiscard]] Result<void> AuthorizeAccount(Txn& txn, std::string_view action);

// AuthorizeIdentity decides `action` by the current caller on `resource`
// (an ARN, or "*") by identity policy alone, as IAM decides for a resource
// with no resource-based policy (SSM parameters, our secrets): the owner's
// root may; a user of the keystore's account when its identity policy allows
// and does not deny; a caller of another account never. Records the caller
// on the audit line.
[[nodiscard]] Result<void> AuthorizeIdentity(Txn& txn, std::string_view action,
                                             std::string_view resource);

// AttachKeyPolicy validates `policy_text` as key `key_id`'s policy (parse,
// then unless `bypass` the lockout check for the caller and the account's
// root) and stores it. Changes nothing on failure (iam_policy_ops.cc).
[[nodiscard]] Result<void> AttachKeyPolicy(Txn& txn, const std::string& key_id,
                                           std::string_view policy_text, bool bypass);

// RecordPrincipal names `caller` on the transaction's audit line.
void RecordPrincipal(Txn& txn, const policy::Caller& caller);

// WouldAllow reports whether `caller` may do `action` on key `key_id` if its
// key policy were `key_policy` (no encryption context, no grants): the
// lockout safety check of PutKeyPolicy.
bool WouldAllow(const KeystoreState& state, const KmsOptions& options, const policy::Caller& caller,
                std::string_view key_id, const policy::Document& key_policy,
                std::string_view action, TimePoint now);

}  // namespace envelope::kms::internal

#endif  // ENVELOPE_LIB_KMS_IAM_AUTHORIZE_H_
