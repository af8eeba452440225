// envelope: parameters on the KMS, as AWS Systems Manager Parameter Store
// keeps them.
//
// A ParameterStore keeps named, versioned values in the keystore folder of
// a Kms. Names are plain text and hierarchical ("/app/prod/db-password");
// a SecureString value is encrypted through the Kms (Kms::Encrypt, so every
// decryption is a KMS Decrypt audit line with its caller) under a KMS key,
// by default the managed key alias/envelope/params, with the parameter's
// ARN in the encryption context, as SSM does:
//
//   {"PARAMETER_ARN": "arn:aws:ssm:us-east-1:111122223333:parameter/app/db"}
//
// so a ciphertext copied to another name does not decrypt there.
//
//   ENVELOPE_ASSIGN_OR_RETURN(auto kms, envelope::kms::Kms::Open({}));
//   ENVELOPE_ASSIGN_OR_RETURN(auto store, envelope::secrets::ParameterStore::Open(kms, {}));
//   ENVELOPE_RETURN_IF_ERROR(store.Put({.name = "/app/db", .type = ParameterType::secure_string,
//                                       .value = std::move(password)}));
//   ENVELOPE_ASSIGN_OR_RETURN(auto p, store.Get("/app/db", /*with_decryption=*/true));
//
// Storage: `parameters.json` in the keystore folder (names, types, versions,
// labels, String values and SecureString ciphertexts), replaced atomically
// under the lock file `parameters.lock`; the Kms's own lock is taken inside
// it, never the other way round.
//
// Errors carry SSM's exception names at the start of the message
// ("ParameterNotFound: ...", "ParameterAlreadyExists: ...",
// "ParameterVersionNotFound: ...", "ParameterVersionLabelLimitExceeded: ...",
// "ParameterMaxVersionLimitExceeded: ...",
// "HierarchyLevelLimitExceededException: ...", "ValidationException: ...");
// KMS errors (a disabled key, a wrong context) pass through as the Kms
// wrote them. A failed operation changes nothing.
#ifndef ENVELOPE_SECRETS_HPP_
#define ENVELOPE_SECRETS_HPP_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "envelope/error.hpp"
#include "envelope/export.h"
#include "envelope/kms.hpp"
#include "envelope/secret.hpp"

ENVELOPE_EXPORT_BEGIN
namespace envelope::secrets {

// kDefaultParameterKeyAlias names the managed key SecureString values use
// when no key is given (AWS's alias/aws/ssm).
inline constexpr std::string_view kDefaultParameterKeyAlias = "alias/envelope/params";

// Limits mirrored from SSM (standard tier).
inline constexpr size_t kMaxParameterValueSize = 4096;
inline constexpr size_t kMaxParameterNameSize = 1011;
inline constexpr int kMaxHierarchyLevels = 15;
inline constexpr size_t kMaxParameterVersions = 100;
inline constexpr size_t kMaxLabelsPerVersion = 10;
inline constexpr size_t kMaxDescriptionSize = 1024;

// ParameterType is SSM's parameter type.
enum class ParameterType { string, string_list, secure_string };

// ParameterTypeName returns "String", "StringList" or "SecureString".
std::string_view ParameterTypeName(ParameterType type) noexcept;
// ParseParameterType is the inverse of ParameterTypeName (invalid_argument
// for anything else).
[[nodiscard]] Result<ParameterType> ParseParameterType(std::string_view name);

// ArnConfig is where parameters live, as their ARNs say; it must be the
// same for every writer and reader of a keystore (the ARN is in the
// encryption context of every SecureString value).
struct ArnConfig {
  std::string partition = "aws";
  std::string region = "us-east-1";
  std::string account = "111122223333";
};

// PutParameterRequest is the input of ParameterStore::Put.
struct PutParameterRequest {
  std::string name;
  ParameterType type = ParameterType::string;
  SecretBytes value;        // 1 to 4096 bytes
  std::string key;          // SecureString only: key id or alias; empty = default
  bool overwrite = false;   // required to add a version to an existing name
  std::string description;  // at most 1024 characters; empty keeps the old one
  std::string modified_by;  // who, for the history (an access key id, "local")
};

// Parameter is one version of a parameter as Get returns it. For a
// SecureString read without decryption, `value` is the KMS ciphertext blob
// in base64 (what SSM returns); otherwise the value itself.
struct Parameter {
  std::string name;
  ParameterType type = ParameterType::string;
  SecretBytes value;
  int64_t version = 0;
  std::string selector;  // ":3" or ":label" when the request named one
  kms::TimePoint last_modified;
  std::string arn;
  std::string key_id;  // SecureString: the KMS key id that encrypted it
  std::string description;
  std::string modified_by;
  std::vector<std::string> labels;
};

// LabelResult is ParameterStore::Label's answer: the labels refused for
// their shape (and not attached) and the version labelled.
struct LabelResult {
  std::vector<std::string> invalid_labels;
  int64_t version = 0;
};

// ParameterBatch is ParameterStore::GetMany's answer: the parameters found,
// in the order asked, and the names that name none (SSM's
// InvalidParameters).
struct ParameterBatch {
  std::vector<Parameter> found;
  std::vector<std::string> invalid;
};

// ParameterStore is the parameters of one keystore. It keeps a reference
// to `kms`, which must outlive it. Safe to use from several threads and
// processes at once.
class ParameterStore {
 public:
  // Open returns the store of `kms`'s keystore folder (nothing is created
  // until the first Put).
  [[nodiscard]] static Result<ParameterStore> Open(kms::Kms& kms, ArnConfig config = {});

  // Put adds version 1 of a new parameter, or (with `overwrite`) the next
  // version of an existing one, and returns its number. The type of an
  // existing parameter cannot change.
  [[nodiscard]] Result<int64_t> Put(const PutParameterRequest& request);
  // Get returns a parameter: `name` may end in ":VERSION" or ":LABEL" (a
  // selector); without one, the latest version. `with_decryption` decrypts
  // a SecureString value (a KMS Decrypt, audited).
  [[nodiscard]] Result<Parameter> Get(std::string_view name, bool with_decryption);
  // GetMany gets each of `names` as Get does, in one call (SSM's
  // GetParameters): with decryption, one audit line naming them all. A
  // name that does not exist, or whose selected version does not, goes to
  // `invalid`; any other error (a KMS refusal) fails the whole call.
  [[nodiscard]] Result<ParameterBatch> GetMany(const std::vector<std::string>& names,
                                               bool with_decryption);
  // GetByPath returns the latest versions of the parameters under `path`
  // ("/app/prod", "/" for every hierarchical one), only one level below it
  // unless `recursive`, sorted by name.
  [[nodiscard]] Result<std::vector<Parameter>> GetByPath(std::string_view path, bool recursive,
                                                         bool with_decryption);
  // History returns every kept version of `name`, oldest first.
  [[nodiscard]] Result<std::vector<Parameter>> History(std::string_view name, bool with_decryption);
  // Label moves `labels` to `version` of `name` (0: the latest). Labels of
  // the wrong shape (over 100 characters, starting with "aws"/"ssm" or a
  // digit, other characters than letters, digits, ".-_") are returned, the
  // others attached; a version keeps at most 10 labels.
  [[nodiscard]] Result<LabelResult> Label(std::string_view name, int64_t version,
                                          const std::vector<std::string>& labels);
  // Delete removes `name` and all its versions.
  [[nodiscard]] Result<void> Delete(std::string_view name);

  // Arn returns the ARN of parameter `name`.
  std::string Arn(std::string_view name) const;

 private:
  ParameterStore(kms::Kms& kms, ArnConfig config) : kms_(&kms), config_(std::move(config)) {}
  // Read is Get without its audit line.
  [[nodiscard]] Result<Parameter> Read(std::string_view name, bool with_decryption);
  kms::Kms* kms_;
  ArnConfig config_;
};

// Secrets, as AWS Secrets Manager keeps them.
//
// A SecretStore keeps named secrets with versions and the staging labels
// AWSCURRENT, AWSPREVIOUS and AWSPENDING in `secrets.json` in the keystore
// folder (lock `secrets.lock`). Each version's value is envelope-encrypted:
// a data key from Kms::GenerateDataKey under the secret's KMS key (default
// alias/envelope/secrets) with {"SecretARN": ARN, "SecretVersionId": ID}
// as its encryption context, and AES-256-GCM of the value under it. So
// every read of a value is a KMS Decrypt audit line with its caller.
//
// Deletion waits a recovery window (7 to 30 days) during which the secret
// can be restored and its value not read; then it is gone for good.
//
// Rotation runs a rotation command (the analogue of the rotation Lambda
// function) once per step, `createSecret`, `setSecret`, `testSecret`,
// `finishSecret`, with SECRET_ID (the ARN), CLIENT_REQUEST_TOKEN (the new
// version id) and STEP in its environment (ENVELOPE_HOME names the
// keystore). What `createSecret` prints on standard output is the new
// value, stored as the AWSPENDING version; the other steps read it with
// `envelope secrets get-value --version-stage AWSPENDING`. When all four
// exit 0, AWSCURRENT moves to the new version and AWSPREVIOUS to the old
// one. A step that fails leaves AWSCURRENT where it was; the AWSPENDING
// version stays, and the next rotation resumes with its token. Two
// rotations of one secret at once: the second is refused.
//
// Errors carry Secrets Manager's names: "ResourceNotFoundException: ...",
// "ResourceExistsException: ...", "InvalidRequestException: ...",
// "InvalidParameterException: ...", "LimitExceededException: ...".

// kDefaultSecretKeyAlias names the managed key of secrets (AWS's
// aws/secretsmanager).
inline constexpr std::string_view kDefaultSecretKeyAlias = "alias/envelope/secrets";
inline constexpr size_t kMaxSecretValueSize = 65536;
inline constexpr std::string_view kStageCurrent = "AWSCURRENT";
inline constexpr std::string_view kStagePrevious = "AWSPREVIOUS";
inline constexpr std::string_view kStagePending = "AWSPENDING";

// SecretVersion is one version: its id (a UUID, or the client request
// token that made it) and staging labels.
struct SecretVersion {
  std::string version_id;
  std::vector<std::string> stages;
  kms::TimePoint created;
};

// SecretInfo is DescribeSecret's answer.
struct SecretInfo {
  std::string arn;
  std::string name;
  std::string description;
  std::string key_id;
  kms::TimePoint created;
  kms::TimePoint last_changed;
  std::optional<kms::TimePoint> last_rotated;
  std::optional<kms::TimePoint> deletion_date;  // set while deleted
  bool rotation_enabled = false;
  int rotation_days = 0;
  std::optional<kms::TimePoint> next_rotation;
  std::vector<SecretVersion> versions;  // oldest first
};

// SecretValue is a version with its value (in secret memory).
struct SecretValue {
  std::string arn;
  std::string name;
  SecretVersion version;
  SecretBytes value;
  bool binary = false;  // SecretBinary rather than SecretString
};

// NewSecretValue is what CreateSecret and PutSecretValue store.
struct NewSecretValue {
  SecretBytes value;  // 1 to 65536 bytes; UTF-8 unless `binary`
  bool binary = false;
  std::string client_request_token;  // the version id; empty: a random UUID
};

// SecretStore is the secrets of one keystore; `kms` must outlive it. Safe
// from several threads and processes at once.
class SecretStore {
 public:
  // Open returns the store of `kms`'s keystore folder; `clock` (empty: the
  // system clock) dates versions, deletions and rotation schedules.
  [[nodiscard]] static Result<SecretStore> Open(kms::Kms& kms, ArnConfig config = {},
                                                kms::Clock clock = {});

  // Create makes a secret with its first version (AWSCURRENT). `key` is a
  // KMS key id or alias (empty: the managed default).
  [[nodiscard]] Result<SecretValue> Create(std::string_view name, NewSecretValue value,
                                           std::string_view key = {},
                                           std::string_view description = {});
  // GetValue returns the version named by `version_id`, else by `stage`
  // (default AWSCURRENT). InvalidRequestException while deleted.
  [[nodiscard]] Result<SecretValue> GetValue(std::string_view secret_id,
                                             std::string_view version_id = {},
                                             std::string_view stage = {});
  // PutValue adds a version with `stages` (default AWSCURRENT; moving
  // AWSCURRENT makes the old current AWSPREVIOUS). The same token with the
  // same value again changes nothing; with another value it is
  // ResourceExistsException. The answer's value is empty.
  [[nodiscard]] Result<SecretValue> PutValue(std::string_view secret_id, NewSecretValue value,
                                             std::vector<std::string> stages = {});
  // Describe returns a secret's metadata (deleted ones too).
  [[nodiscard]] Result<SecretInfo> Describe(std::string_view secret_id);
  // List returns every secret by name; deleted ones only when asked.
  [[nodiscard]] Result<std::vector<SecretInfo>> List(bool include_deleted = false);
  // Delete schedules deletion after `recovery_days` (7 to 30), or removes
  // the secret now when `force`.
  [[nodiscard]] Result<SecretInfo> Delete(std::string_view secret_id, int recovery_days = 30,
                                          bool force = false);
  // Restore cancels a scheduled deletion.
  [[nodiscard]] Result<SecretInfo> Restore(std::string_view secret_id);

  // SetRotation configures the rotation command (an executable path, run
  // without a shell; empty keeps the one configured, InvalidRequestException
  // when there is none) and rotation every `every_days` (1 to 1000; 0: only
  // on demand). Only the local API names a command: the network API may
  // change the period but never the command.
  [[nodiscard]] Result<SecretInfo> SetRotation(std::string_view secret_id, std::string_view command,
                                               int every_days);
  // Rotate runs the rotation now (resuming an unfinished one with its
  // token) and returns the new version. `token` may name the new version.
  [[nodiscard]] Result<SecretValue> Rotate(std::string_view secret_id, std::string_view token = {});
  // RotateDue rotates every secret whose rotation is due and returns the
  // names rotated; a failure of one is reported in `failures` and does not
  // stop the others.
  [[nodiscard]] Result<std::vector<std::string>> RotateDue(std::vector<Error>* failures = nullptr);

  // Impl is the private implementation (not part of the API).
  struct Impl;

 private:
  explicit SecretStore(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<Impl> impl_;
};

}  // namespace envelope::secrets
ENVELOPE_EXPORT_END

#endif  // ENVELOPE_SECRETS_HPP_
