// envelope: the local key management service (KMS).
//
// A Kms is a keystore folder opened as a library object. It keeps symmetric
// 256-bit keys with the lifecycle and error names of AWS KMS, encrypts small
// secrets and data keys into self-describing ciphertext blobs, rotates keys,
// and writes one audit line per key operation.
//
// In a function that returns a Result (error.hpp has the macro):
//
//   ENVELOPE_ASSIGN_OR_RETURN(auto kms, envelope::kms::Kms::Open({}));  // $ENVELOPE_HOME, ...
//   ENVELOPE_ASSIGN_OR_RETURN(auto key, kms.CreateKey({.description = "app"}));
//   ENVELOPE_ASSIGN_OR_RETURN(auto dk, kms.GenerateDataKey(key.key_id, {{"bucket", "photos"}}));
//   ENVELOPE_ASSIGN_OR_RETURN(auto pt, kms.Decrypt(dk.ciphertext.blob, {{"bucket", "photos"}}));
//
// Folder layout (mode 0700; every file 0600, refused if others can read it):
//   keystore.kms   the keys, encrypted (AES-256-GCM) under the root key,
//                  replaced atomically on change
//   root.key       the managed root key (absent in passphrase mode)
//   keystore.lock  the inter-process lock every operation holds
//   audit.log      one JSON line per operation, hash-chained; audit.head
//                  anchors its last line
//
// Errors: `not_found` (NotFoundException) for unknown or deleted keys and
// aliases; `key_state` (DisabledException, KMSInvalidStateException) for keys
// that cannot do what was asked in their state; `auth_failed`
// (InvalidCiphertextException) for a blob or context that does not verify;
// `invalid_argument` for malformed input (ValidationException,
// AlreadyExistsException, IncorrectKeyException); `io` for the file system.
// The AWS name starts the message. Failed operations change nothing.
//
// Key references: every `key` argument takes a key id or an alias name
// ("alias/..."). A Kms is safe to use from several threads (calls are
// serialised) and from several processes at once (through the lock).
//
// The local KMS as a keyring (SSE-KMS, SSE-S3) and its rotation rewrap:
//
//   ENVELOPE_ASSIGN_OR_RETURN(auto opened, envelope::kms::Kms::Open({}));
//   auto kms = std::make_shared<envelope::kms::Kms>(std::move(opened));
//   ENVELOPE_ASSIGN_OR_RETURN(auto sse_s3, envelope::kms::NewSseS3Keyring(kms));  // default key
//   ENVELOPE_ASSIGN_OR_RETURN(auto sse_kms,
//       envelope::NewKmsKeyring(envelope::kms::NewKmsClient(kms), "alias/app"));
//   ENVELOPE_RETURN_IF_ERROR(envelope::kms::RewrapToNewestVersion(kms, "a.enc", "a.enc"));
#ifndef ENVELOPE_KMS_HPP_
#define ENVELOPE_KMS_HPP_

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "envelope/error.hpp"
#include "envelope/export.h"
#include "envelope/keyring.hpp"
#include "envelope/kms_keyring.hpp"
#include "envelope/kms_types.hpp"
#include "envelope/rewrap.hpp"
#include "envelope/secret.hpp"

ENVELOPE_EXPORT_BEGIN
namespace envelope::kms {

// DefaultKeystoreDirectory returns $ENVELOPE_HOME, else $XDG_DATA_HOME/envelope
// (when absolute), else $HOME/.local/share/envelope. Fails with `not_found`
// when no home folder is known.
[[nodiscard]] Result<std::string> DefaultKeystoreDirectory();

// Kms is an open keystore. Move-only; destroying it releases nothing on disk
// (every operation is committed before it returns). Thread-safe: calls from
// several threads are serialised (share one through shared_ptr).
class Kms {
 public:
  // Open opens (creating on first use when allowed) the keystore described
  // by `options`. Fails with `io` when the folder or a file is readable by
  // others (with a chmod hint), `auth_failed` for a wrong root key or
  // passphrase or a tampered file, `invalid_argument`/`truncated`/
  // `unsupported` for a file that is not a keystore we can read. A failed
  // Open writes nothing.
  [[nodiscard]] static Result<Kms> Open(KmsOptions options);

  Kms(Kms&& other) noexcept;
  Kms& operator=(Kms&& other) noexcept;
  Kms(const Kms&) = delete;
  Kms& operator=(const Kms&) = delete;
  ~Kms();

  // directory returns the keystore folder.
  const std::string& directory() const noexcept;

  // CreateKey creates an enabled key with one version (rotation off).
  [[nodiscard]] Result<KeyMetadata> CreateKey(const CreateKeyRequest& request = {});
  // DescribeKey returns the metadata of `key`.
  [[nodiscard]] Result<KeyMetadata> DescribeKey(std::string_view key);
  // ListKeys returns every key not yet deleted, oldest first.
  [[nodiscard]] Result<std::vector<KeyMetadata>> ListKeys();

  // TagResource adds or replaces tags of `key`; the key keeps at most 50
  // (TagException otherwise, and nothing changes).
  [[nodiscard]] Result<void> TagResource(std::string_view key, const Tags& tags);
  // UntagResource removes the tags named in `tag_keys` (missing ones are
  // ignored, as in AWS KMS).
  [[nodiscard]] Result<void> UntagResource(std::string_view key,
                                           const std::vector<std::string>& tag_keys);
  // ListResourceTags returns the tags of `key`.
  [[nodiscard]] Result<Tags> ListResourceTags(std::string_view key);

  // CreateAlias points new alias `alias` ("alias/" + letters, digits, "/_-",
  // at most 256 characters, not "alias/aws/...") at key id `target`.
  // AlreadyExistsException when it exists.
  [[nodiscard]] Result<void> CreateAlias(std::string_view alias, std::string_view target);
  // UpdateAlias points existing alias `alias` at key `target`.
  [[nodiscard]] Result<void> UpdateAlias(std::string_view alias, std::string_view target);
  // DeleteAlias removes `alias`; the key is untouched.
  [[nodiscard]] Result<void> DeleteAlias(std::string_view alias);
  // ListAliases returns every alias by name, or only those of `key` if given.
  [[nodiscard]] Result<std::vector<AliasEntry>> ListAliases(std::string_view key = {});

  // EnableKey and DisableKey switch a key that is not pending deletion.
  [[nodiscard]] Result<void> EnableKey(std::string_view key);
  [[nodiscard]] Result<void> DisableKey(std::string_view key);
  // ScheduleKeyDeletion puts `key` in PendingDeletion; after `pending_days`
  // (7 to 30) its material is destroyed and its ciphertexts become
  // undecryptable for good.
  [[nodiscard]] Result<DeletionSchedule> ScheduleKeyDeletion(
      std::string_view key, int pending_days = kDefaultPendingWindowDays);
  // CancelKeyDeletion stops a pending deletion; the key becomes Disabled, as
  // in AWS KMS.
  [[nodiscard]] Result<KeyMetadata> CancelKeyDeletion(std::string_view key);

  // EnableKeyRotation rotates `key` every `period_days` (90 to 2560) from
  // now on; changing the period of an enabled rotation restarts the period.
  [[nodiscard]] Result<void> EnableKeyRotation(std::string_view key,
                                               int period_days = kDefaultRotationPeriodDays);
  // DisableKeyRotation stops automatic rotation; versions are kept.
  [[nodiscard]] Result<void> DisableKeyRotation(std::string_view key);
  // GetKeyRotationStatus reports the rotation settings of `key`.
  [[nodiscard]] Result<RotationStatus> GetKeyRotationStatus(std::string_view key);
  // RotateKeyOnDemand adds a version now (at most 25 per key); the automatic
  // schedule is not changed.
  [[nodiscard]] Result<RotationEntry> RotateKeyOnDemand(std::string_view key);
  // ListKeyRotations returns the completed rotations, oldest first.
  [[nodiscard]] Result<std::vector<RotationEntry>> ListKeyRotations(std::string_view key);

  // Encrypt encrypts 1 to 4096 bytes under the newest version of `key`,
  // binding `context`.
  [[nodiscard]] Result<Ciphertext> Encrypt(std::string_view key, std::span<const uint8_t> plaintext,
                                           const EncryptionContext& context = {});
  // Decrypt opens a blob from Encrypt/GenerateDataKey/ReEncrypt; the key
  // comes from the blob. If `expected_key` is given and names another key,
  // fails with IncorrectKeyException. The plaintext is in secret memory.
  [[nodiscard]] Result<Plaintext> Decrypt(std::span<const uint8_t> blob,
                                          const EncryptionContext& context = {},
                                          std::string_view expected_key = {});
  // GenerateDataKey returns a random 256-bit key and its blob under `key`.
  [[nodiscard]] Result<DataKey> GenerateDataKey(std::string_view key,
                                                const EncryptionContext& context = {});
  // GenerateDataKeyWithoutPlaintext returns only the blob of a fresh key.
  [[nodiscard]] Result<Ciphertext> GenerateDataKeyWithoutPlaintext(
      std::string_view key, const EncryptionContext& context = {});
  // ReEncrypt decrypts `blob` (with `source_context`) and encrypts the same
  // plaintext under the newest version of `destination_key` with
  // `destination_context`, inside the KMS: the caller never sees it. If
  // `source_key` is given and the blob was encrypted under another key,
  // fails with IncorrectKeyException before anything is decrypted.
  [[nodiscard]] Result<ReEncrypted> ReEncrypt(std::span<const uint8_t> blob,
                                              const EncryptionContext& source_context,
                                              std::string_view destination_key,
                                              const EncryptionContext& destination_context = {},
                                              std::string_view source_key = {});

  // DefaultKey returns the managed default key (alias/envelope/default),
  // creating it with yearly rotation on first use (SSE-S3 semantics). The
  // creation is audited (CreateKey and DefaultKey lines); finding the
  // existing key is not, since every use of it is.
  [[nodiscard]] Result<KeyMetadata> DefaultKey();

  // CreateAccessKey makes an active access key for the network service
  // (`envelope kms serve`) and returns its secret, which is stored only
  // encrypted in the keystore and never shown again. With `user_name`, the
  // key belongs to that user (`not_found` if there is none); without, to
  // the account's root.
  [[nodiscard]] Result<NewAccessKey> CreateAccessKey(std::string_view user_name = {});
  // ListAccessKeys returns every access key, by id.
  [[nodiscard]] Result<std::vector<AccessKeyInfo>> ListAccessKeys();
  // SetAccessKeyActive activates or deactivates an access key; requests
  // signed with an inactive key are refused. `not_found` for an unknown id.
  [[nodiscard]] Result<void> SetAccessKeyActive(std::string_view access_key_id, bool active);
  // DeleteAccessKey removes an access key for good.
  [[nodiscard]] Result<void> DeleteAccessKey(std::string_view access_key_id);
  // AccessKeySecret returns the secret of an active access key, for SigV4
  // verification; `not_found` for an unknown or inactive one. Not audited
  // (the request it authenticates is).
  [[nodiscard]] Result<SecretBytes> AccessKeySecret(std::string_view access_key_id);

  // CreateUser adds user `user_name` (1 to 64 of A-Z a-z 0-9 and "+=,.@_-",
  // unique in the keystore) to `account` (12 digits; empty: the keystore's
  // account). Users own access keys; what they may do comes from key
  // policies, grants and their identity policy (PutUserPolicy).
  [[nodiscard]] Result<UserInfo> CreateUser(std::string_view user_name,
                                            std::string_view account = {});
  // ListUsers returns every user, by name.
  [[nodiscard]] Result<std::vector<UserInfo>> ListUsers();
  // DeleteUser removes a user that has no access keys (DeleteConflict
  // otherwise, as in IAM: delete its keys first).
  [[nodiscard]] Result<void> DeleteUser(std::string_view user_name);
  // PutUserPolicy attaches identity policy `policy` (IAM JSON, no
  // Principal) to a user, replacing any; an empty `policy` detaches it.
  // MalformedPolicyDocumentException for a policy that does not parse.
  [[nodiscard]] Result<void> PutUserPolicy(std::string_view user_name, std::string_view policy);
  // GetUserPolicy returns a user's identity policy (empty if none).
  [[nodiscard]] Result<std::string> GetUserPolicy(std::string_view user_name);

  // PutKeyPolicy replaces the key policy of `key` (its only policy,
  // "default"). Refused with MalformedPolicyDocumentException when it does
  // not parse, or when it would not let the caller and the account's root
  // change the policy again (the lockout safety check), unless
  // `bypass_lockout_check`.
  [[nodiscard]] Result<void> PutKeyPolicy(std::string_view key, std::string_view policy,
                                          bool bypass_lockout_check = false);
  // GetKeyPolicy returns the key policy of `key` (the default one if none
  // was put).
  [[nodiscard]] Result<std::string> GetKeyPolicy(std::string_view key);
  // ListKeyPolicies returns the names of the key's policies: {"default"}.
  [[nodiscard]] Result<std::vector<std::string>> ListKeyPolicies(std::string_view key);

  // CreateGrant lets a principal use `request.key` for some operations.
  [[nodiscard]] Result<NewGrant> CreateGrant(const CreateGrantRequest& request);
  // ListGrants returns the grants of `key`, oldest first.
  [[nodiscard]] Result<std::vector<GrantInfo>> ListGrants(std::string_view key);
  // RetireGrant removes a grant, named by its token or by key and grant id;
  // allowed for its retiring principal, its grantee (if it may RetireGrant)
  // and the key's account root.
  [[nodiscard]] Result<void> RetireGrant(std::string_view grant_token, std::string_view key = {},
                                         std::string_view grant_id = {});
  // RevokeGrant removes grant `grant_id` of `key` (needs kms:RevokeGrant).
  [[nodiscard]] Result<void> RevokeGrant(std::string_view key, std::string_view grant_id);

  // AuditRefusedRequest appends the audit line of a network request refused
  // before any key operation ran (authentication failed, malformed), with
  // the caller of the current ScopedRequestCaller.
  [[nodiscard]] Result<void> AuditRefusedRequest(std::string_view operation, const Error& error);

  // AuditServiceCall appends the audit line of an operation of a service
  // built on this Kms (SSM Parameter Store, Secrets Manager: lib/secrets),
  // in CloudTrail's record shape with `call.source` as its eventSource and
  // the caller of the current ScopedRequestCaller (else the keystore's
  // owner); `outcome` is the operation's error, nullptr when it succeeded.
  // Never put a value in `call`. Fails only when the line cannot be
  // written.
  [[nodiscard]] Result<void> AuditServiceCall(const ServiceCall& call,
                                              const Error* outcome = nullptr);

  // AuthorizeServiceAction decides whether the caller of the current
  // ScopedRequestCaller (none: the keystore owner's root) may do `action`
  // ("ssm:GetParameter", "secretsmanager:GetSecretValue"; not a kms: action)
  // on `resource_arn` (the parameter's or secret's ARN, or "*"), by its
  // identity policy as IAM does: the owner's root always may; a user of the
  // keystore's account when its policy allows and no statement denies; a
  // caller of another account never. Fails with "AccessDeniedException:
  // User: ARN is not authorized to perform: ACTION on resource: ARN because
  // ..." (AWS's message), with invalid_argument for a kms: or malformed
  // action. Writes no audit line: the caller audits the request
  // (AuditServiceCall), refused or not.
  [[nodiscard]] Result<void> AuthorizeServiceAction(std::string_view action,
                                                    std::string_view resource_arn);

  // VerifyAuditLog checks the audit log's hash chain and reports the first
  // broken, missing or reordered line. Fails only on I/O errors.
  [[nodiscard]] Result<AuditReport> VerifyAuditLog();

  // AuditLogFiles returns the paths of the audit log's files, oldest first:
  // the archives of earlier lines (KmsOptions::audit_log_rotate_bytes), then
  // audit.log. Read them in this order for every line.
  [[nodiscard]] Result<std::vector<std::string>> AuditLogFiles();

  // Impl is the private implementation (not part of the API).
  struct Impl;

 private:
  explicit Kms(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// ScopedRequestCaller names the caller of every Kms operation this thread
// runs while it lives: each of their audit lines records the caller's
// access key id, source address, user agent and request id. The network
// service sets one per request; nesting replaces the outer caller until the
// inner scope ends. It is per thread by nature: create and destroy it on the
// thread it names the caller for.
class ScopedRequestCaller {
 public:
  explicit ScopedRequestCaller(RequestCaller caller);
  ~ScopedRequestCaller();
  ScopedRequestCaller(const ScopedRequestCaller&) = delete;
  ScopedRequestCaller& operator=(const ScopedRequestCaller&) = delete;

 private:
  RequestCaller caller_;
  const RequestCaller* outer_;
};

// ScopedGrantTokens hands grant tokens (CreateGrant's NewGrant::grant_token),
// AWS KMS's GrantTokens, to every Kms operation on a key that this thread
// runs while it lives. Each must be a token this keystore issued, else the
// operation fails with InvalidGrantTokenException and changes nothing; at
// most 10 tokens of 1 to 8192 characters (ValidationException). Grants here
// take effect when CreateGrant returns, so a valid token adds no permission,
// and the token of a retired or revoked grant is valid but gives nothing:
// the request is decided by the policies and the live grants. The network
// service sets one for the operations whose requests carry GrantTokens.
// Per thread and nestable, like ScopedRequestCaller.
class ScopedGrantTokens {
 public:
  explicit ScopedGrantTokens(std::vector<std::string> tokens);
  ~ScopedGrantTokens();
  ScopedGrantTokens(const ScopedGrantTokens&) = delete;
  ScopedGrantTokens& operator=(const ScopedGrantTokens&) = delete;

 private:
  std::vector<std::string> tokens_;
  const std::vector<std::string>* outer_;
};

// NewKmsClient returns a KmsClient (kms_keyring.hpp) that calls `kms`
// (shared: the caller may keep using it, e.g. to manage keys). Every call is
// a Kms operation, with its audit line and its errors unchanged. Returns
// nullptr for a null `kms`. The client is as thread-safe as the Kms.
std::shared_ptr<KmsClient> NewKmsClient(std::shared_ptr<Kms> kms);

// NewSseS3Keyring returns the KMS keyring on the managed default key
// (alias/envelope/default), creating that key with yearly rotation on first
// use (SSE-S3: no key named). The EDKs record the key's id, so messages
// still decrypt after the alias moves. Fails with `invalid_argument` for a
// null `kms`, or with the KMS's error when the default key cannot be made.
[[nodiscard]] Result<std::shared_ptr<const Keyring>> NewSseS3Keyring(std::shared_ptr<Kms> kms);

// RewrapToNewestVersion rewrites the message at `input_path` into
// `output_path` (may be the same file) with every `envelope-kms` EDK
// re-encrypted by Kms::ReEncrypt under the newest version of its own key,
// without touching the body: after RotateKeyOnDemand or an automatic
// rotation, old messages still decrypt (every key version is kept), but
// their data keys stay wrapped under the version they were made with. It is
// RewrapToNewestKeyVersion (rewrap.hpp: what is verified, how signed
// messages are handled, why the write is atomic) over NewKmsClient(kms),
// with the same atomicity, checks and errors. Fails with `invalid_argument`
// for a null `kms`.
[[nodiscard]] Result<RewrapResult> RewrapToNewestVersion(std::shared_ptr<Kms> kms,
                                                         const std::string& input_path,
                                                         const std::string& output_path,
                                                         const RewrapOptions& options = {});

}  // namespace envelope::kms
ENVELOPE_EXPORT_END

#endif  // ENVELOPE_KMS_HPP_
