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
//   auto kms = envelope::kms::Kms::Open({});
//   auto store = envelope::secrets::ParameterStore::Open(*kms, {});
//   store->Put({.name = "/app/db", .type = ParameterType::secure_string,
//               .value = std::move(password)});
//   auto p = store->Get("/app/db", /*with_decryption=*/true);
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
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "envelope/error.hpp"
#include "envelope/kms.hpp"
#include "envelope/secret.hpp"

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
  // GetByPath returns the latest versions of the parameters under `path`
  // ("/app/prod", "/" for every hierarchical one), only one level below it
  // unless `recursive`, sorted by name.
  [[nodiscard]] Result<std::vector<Parameter>> GetByPath(std::string_view path, bool recursive,
                                                         bool with_decryption);
  // History returns every kept version of `name`, oldest first.
  [[nodiscard]] Result<std::vector<Parameter>> History(std::string_view name,
                                                       bool with_decryption);
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
  kms::Kms* kms_;
  ArnConfig config_;
};

}  // namespace envelope::secrets

#endif  // ENVELOPE_SECRETS_HPP_
