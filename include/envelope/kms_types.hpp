// envelope: the values the local KMS takes and returns (see kms.hpp).
//
// Names follow AWS KMS (KeyMetadata, KeyState, RotationType, ...) so people
// who know that service find their way; times are system_clock time points
// taken from the Kms's injectable Clock.
#ifndef ENVELOPE_KMS_TYPES_HPP_
#define ENVELOPE_KMS_TYPES_HPP_

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "envelope/export.h"
#include "envelope/secret.hpp"

ENVELOPE_EXPORT_BEGIN
namespace envelope::kms {

// TimePoint is the time type of every date the KMS records.
using TimePoint = std::chrono::system_clock::time_point;

// Clock returns "now". Tests inject one to move time across rotation periods
// and deletion windows; an empty Clock means the system clock.
using Clock = std::function<TimePoint()>;

// EncryptionContext is the AWS encryption context: non-secret key/value
// pairs, authenticated with the ciphertext, that must match exactly (as a
// set: order never matters) to decrypt. Keys must be non-empty.
using EncryptionContext = std::map<std::string, std::string>;

// Tags are free-form key/value labels on a key (AWS limits: at most 50 tags,
// keys 1 to 128 characters, values up to 256).
using Tags = std::map<std::string, std::string>;

// Limits mirrored from AWS KMS.
inline constexpr size_t kMaxPlaintextSize = 4096;  // Encrypt
inline constexpr size_t kDataKeySize = 32;         // GenerateDataKey (AES_256)
inline constexpr int kMinPendingWindowDays = 7;    // ScheduleKeyDeletion
inline constexpr int kMaxPendingWindowDays = 30;
inline constexpr int kDefaultPendingWindowDays = 30;
inline constexpr int kMinRotationPeriodDays = 90;  // EnableKeyRotation
inline constexpr int kMaxRotationPeriodDays = 2560;
inline constexpr int kDefaultRotationPeriodDays = 365;
inline constexpr int kMaxOnDemandRotations = 25;  // RotateKeyOnDemand, per key

// kDefaultKeyAlias names the SSE-S3 style managed default key.
inline constexpr std::string_view kDefaultKeyAlias = "alias/envelope/default";

// RootKeySource says what protects the keystore file at rest. The default is
// the managed mode: a random 256-bit root key in a file beside the keystore
// (`root.key`, or `path` when set), created with the keystore. The passphrase
// modes derive the root key with Argon2id from a passphrase read from a file,
// an open file descriptor or an environment variable (never a literal).
struct RootKeySource {
  enum class Kind { managed_file, passphrase_file, passphrase_fd, passphrase_env };
  Kind kind = Kind::managed_file;
  std::string path;  // managed_file (optional) or passphrase_file
  int fd = -1;       // passphrase_fd: read to end of file, not closed
  std::string env;   // passphrase_env: the variable's name

  // Managed returns the default source, optionally with a root key file path.
  static RootKeySource Managed(std::string root_key_path = {});
  // PassphraseFile reads the passphrase from `file` (one trailing newline is
  // dropped); the file must not be readable by others.
  static RootKeySource PassphraseFile(std::string file);
  // PassphraseFd reads the passphrase from descriptor `fd` until end of file.
  static RootKeySource PassphraseFd(int fd);
  // PassphraseEnv reads the passphrase from environment variable `name`.
  static RootKeySource PassphraseEnv(std::string name);
};

// Argon2idCost are the Argon2id parameters used when a passphrase keystore is
// created; an existing keystore always uses the parameters in its header.
struct Argon2idCost {
  uint32_t passes = 3;
  uint32_t memory_kib = 64 * 1024;
};

// KmsOptions configure Kms::Open.
struct KmsOptions {
  // directory is the keystore folder; empty means DefaultKeystoreDirectory().
  std::string directory;
  RootKeySource root_key;
  Argon2idCost argon2id;
  Clock clock;
  // create_if_missing creates the folder and an empty keystore on first use;
  // when false a missing keystore is `not_found`.
  bool create_if_missing = true;
  // partition, region and account place the keystore's keys in AWS's name
  // space: key ARNs arn:PARTITION:kms:REGION:ACCOUNT:key/ID, which key
  // policies name. The keystore's owner (a caller that opens the keystore
  // itself, or signs with an access key of no user) is ACCOUNT's root.
  std::string partition = "aws";
  std::string region = "us-east-1";
  std::string account = "111122223333";
  // audit_log_rotate_bytes: once audit.log has reached this size, the next
  // append archives it as audit-<first line's number>.log and starts a new
  // audit.log that continues the hash chain (0: never). Archives are kept;
  // removing old ones is the owner's retention decision (verification then
  // reports the chain's first lines missing).
  uint64_t audit_log_rotate_bytes = uint64_t{64} << 20;
};

// KeyState is the AWS key state; the names are KeyStateName's.
enum class KeyState { enabled, disabled, pending_deletion };

// KeyStateName returns "Enabled", "Disabled" or "PendingDeletion".
std::string_view KeyStateName(KeyState state) noexcept;

// KeyMetadata describes one key, as DescribeKey returns it.
struct KeyMetadata {
  std::string key_id;  // a UUID such as "1234abcd-12ab-34cd-56ef-1234567890ab"
  std::string description;
  Tags tags;
  TimePoint creation_date;
  KeyState state = KeyState::enabled;
  std::optional<TimePoint> deletion_date;  // set while pending deletion
  int pending_window_days = 0;             // set while pending deletion
  uint32_t current_version = 1;            // the version that encrypts
  bool rotation_enabled = false;
  int rotation_period_days = 0;  // set while rotation is enabled
  std::optional<TimePoint> next_rotation_date;
};

// CreateKeyRequest is the input of CreateKey.
struct CreateKeyRequest {
  std::string description;  // at most 8192 characters
  Tags tags;
  // multi_region makes a multi-Region key: its id is "mrk-" and 32 hex
  // digits, and a copy of the keystore serving another region (the replica)
  // opens its ciphertexts under the same id.
  bool multi_region = false;
  // policy is the key policy (empty: the default one); refused as
  // PutKeyPolicy refuses it, lockout check included unless bypassed.
  std::string policy;
  bool bypass_policy_lockout_safety_check = false;
  // alias, if not empty, is created for the key in the same transaction
  // (CreateAlias's rules): an invalid, reserved or taken name refuses the
  // whole CreateKey, which then creates nothing.
  std::string alias;
};

// AliasEntry is one alias, as ListAliases returns it.
struct AliasEntry {
  std::string alias_name;  // "alias/..."
  std::string target_key_id;
  TimePoint creation_date;
  TimePoint last_updated_date;
};

// RotationType says how a key version came to be.
enum class RotationType { automatic, on_demand };

// RotationEntry is one completed rotation (ListKeyRotations): the version it
// created and when.
struct RotationEntry {
  std::string key_id;
  uint32_t version = 0;
  TimePoint rotation_date;
  RotationType type = RotationType::automatic;
};

// RotationStatus is GetKeyRotationStatus's answer.
struct RotationStatus {
  std::string key_id;  // the key's id (also when it was named by alias)
  bool enabled = false;
  int period_days = 0;
  std::optional<TimePoint> next_rotation_date;
  std::optional<TimePoint> on_demand_rotation_start_date;
};

// DeletionSchedule is ScheduleKeyDeletion's answer.
struct DeletionSchedule {
  std::string key_id;
  TimePoint deletion_date;
  int pending_window_days = 0;
};

// Ciphertext is a KMS ciphertext blob with the key (and version) that made it.
struct Ciphertext {
  std::vector<uint8_t> blob;
  std::string key_id;
  uint32_t key_version = 0;
};

// Plaintext is decrypted data in secret memory with the key that opened it.
struct Plaintext {
  SecretBytes plaintext;
  std::string key_id;
  uint32_t key_version = 0;
};

// DataKey is GenerateDataKey's answer: a 256-bit data key in secret memory
// and the same key encrypted under the KMS key.
struct DataKey {
  SecretBytes plaintext;
  Ciphertext ciphertext;
};

// ReEncrypted is ReEncrypt's answer; the plaintext is never handed out.
struct ReEncrypted {
  Ciphertext ciphertext;
  std::string source_key_id;
  uint32_t source_key_version = 0;
};

// AccessKeyInfo describes an access key of the network service (the
// secret is never part of it).
struct AccessKeyInfo {
  std::string access_key_id;  // "AKIA" + 16 characters of A-Z and 2-7
  bool active = true;
  TimePoint creation_date;
  std::string user_name;  // the user it belongs to; empty: the account's root
};

// UserInfo describes a user (the principal that owns access keys): its
// name, account and ARN arn:aws:iam::ACCOUNT:user/NAME.
struct UserInfo {
  std::string user_name;
  std::string account;
  std::string arn;
  TimePoint creation_date;
  bool has_policy = false;  // an identity policy is attached
};

// NewAccessKey is CreateAccessKey's answer: the only time the secret is
// handed out (40 characters of base64, as AWS's secret access keys).
struct NewAccessKey {
  AccessKeyInfo info;
  SecretBytes secret_access_key;
};

// CreateGrantRequest is CreateGrant's input. `operations` are AWS names
// ("Decrypt", "Encrypt", "GenerateDataKey", "GenerateDataKeyWithoutPlaintext",
// "ReEncryptFrom", "ReEncryptTo", "DescribeKey", "CreateGrant",
// "RetireGrant"); the constraints, if any, bind the encryption context of
// cryptographic operations: exactly (equals) or as a subset.
struct CreateGrantRequest {
  std::string key;
  std::string grantee_principal;   // ARN
  std::string retiring_principal;  // ARN, optional
  std::vector<std::string> operations;
  EncryptionContext context_equals;
  EncryptionContext context_subset;
  std::string name;
};

// GrantInfo describes a grant, as ListGrants returns it.
struct GrantInfo {
  std::string grant_id;
  std::string key_id;
  std::string grantee_principal;
  std::string retiring_principal;
  std::string issuing_account;  // ARN of the account's root
  std::vector<std::string> operations;
  EncryptionContext context_equals;
  EncryptionContext context_subset;
  std::string name;
  TimePoint creation_date;
};

// NewGrant is CreateGrant's answer. The grant takes effect when CreateGrant
// returns; the token (108 base64 characters, checkable by this keystore
// alone) names it to RetireGrant and may be passed with ScopedGrantTokens.
struct NewGrant {
  std::string grant_id;
  std::string grant_token;
};

// RequestCaller is who made a request to the network service, for the
// audit lines of the operations it runs. Never secret.
struct RequestCaller {
  std::string access_key_id;
  std::string source_ip;
  std::string user_agent;
  std::string request_id;
  // secure_transport is aws:SecureTransport: whether the request came over
  // TLS (unset for callers that are not network requests).
  std::optional<bool> secure_transport;
};

// ServiceCall is the audit line of an operation of a service built on the
// KMS (Kms::AuditServiceCall): CloudTrail's eventSource ("ssm.amazonaws.com",
// "secretsmanager.amazonaws.com"), eventName ("PutParameter"), the resource
// it worked on (type "AWS::SSM::Parameter" and ARN; empty: none) and its
// request parameters (snake_case names, written in camelCase; ids, names,
// flags, never a value).
struct ServiceCall {
  std::string source;
  std::string operation;
  std::string resource_type;
  std::string resource_arn;
  std::map<std::string, std::string> request;
};

// AuditReport is the outcome of verifying the audit log's hash chain.
struct AuditReport {
  bool intact = true;
  uint64_t lines = 0;           // complete lines read
  uint64_t first_bad_line = 0;  // 1-based; 0 when intact
  std::string problem;          // what is wrong there; empty when intact
};

}  // namespace envelope::kms
ENVELOPE_EXPORT_END

#endif  // ENVELOPE_KMS_TYPES_HPP_
