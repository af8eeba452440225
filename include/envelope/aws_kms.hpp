// envelope: AWS KMS over the network, and the AWS Encryption SDK's AWS KMS
// keyrings on it (specification: awslabs/aws-encryption-sdk-specification,
// framework/aws-kms/).
//
// In a function that returns a Result (error.hpp has the macro):
//
//   ENVELOPE_ASSIGN_OR_RETURN(auto supplier,
//                             envelope::NewAwsKmsClientSupplier({.profile = "dev"}));
//   ENVELOPE_ASSIGN_OR_RETURN(auto keyring, envelope::NewAwsKmsKeyring(
//       {.generator = "arn:aws:kms:us-east-1:111122223333:key/...",
//        .children = {"arn:aws:kms:eu-west-1:111122223333:alias/backup"}},
//       supplier));
//   ENVELOPE_ASSIGN_OR_RETURN(auto message,
//                             envelope::Encrypt(plaintext, *keyring, {.context = ctx}));
//
// EDK written for a data key (what every AWS Encryption SDK writes):
//
//   provider id   = "aws-kms"
//   provider info = the key ARN that AWS KMS answered with
//                   ("arn:aws:kms:REGION:ACCOUNT:key/ID"), UTF-8
//   ciphertext    = the AWS KMS ciphertext blob, made with the message's
//                   encryption context as the KMS encryption context
//
// The client speaks AWS JSON 1.1 over HTTPS (libcurl), signs with SigV4,
// keeps connections open, and retries throttling errors, 5xx answers and
// dropped connections in the AWS SDKs' "standard" retry mode. Credentials,
// region, endpoint and CA bundle come from the environment and the shared
// AWS files as in every AWS SDK, first found wins:
//
//   credentials   AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN)
//                 unless a profile was named; then the profile in the shared
//                 credentials file; its credential_process; static keys in
//                 the config file (botocore's order)
//   region        the setting, AWS_REGION, AWS_DEFAULT_REGION, the profile's
//   endpoint      the setting, AWS_ENDPOINT_URL_KMS, AWS_ENDPOINT_URL, the
//                 profile's endpoint_url, else https://kms.REGION.amazonaws.com
//   CA bundle     AWS_CA_BUNDLE, the profile's ca_bundle
#ifndef ENVELOPE_AWS_KMS_HPP_
#define ENVELOPE_AWS_KMS_HPP_

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "envelope/error.hpp"
#include "envelope/export.h"
#include "envelope/keyring.hpp"
#include "envelope/kms_keyring.hpp"

ENVELOPE_EXPORT_BEGIN
namespace envelope {

// kAwsKmsProviderId is the EDK provider id of the AWS KMS keyrings.
inline constexpr std::string_view kAwsKmsProviderId = "aws-kms";

// AwsKmsClient is a KmsClient for AWS KMS (or any server speaking its API)
// in one region. The KmsClient calls send no grant tokens; the *With
// variants do. Key ids in answers are key ARNs. Errors keep AWS's exception
// name at the start of the message ("NotFoundException: ...") and map to
// our codes: not_found, key_state (disabled, pending deletion,
// unavailable), auth_failed (InvalidCiphertextException), invalid_argument
// (IncorrectKeyException, validation, refused credentials or permission),
// limit_exceeded (throttling, after the retries), io (transport and 5xx,
// after the retries). Safe to call from several threads.
class AwsKmsClient : public KmsClient {
 public:
  // region returns the region the client signs for.
  virtual const std::string& region() const = 0;

  // GenerateDataKeyWith asks for `size` bytes of data key.
  [[nodiscard]] virtual Result<KmsDataKey> GenerateDataKeyWith(
      std::string_view key, const EncryptionContext& context, size_t size,
      std::span<const std::string> grant_tokens) = 0;
  // EncryptWith is Encrypt with grant tokens.
  [[nodiscard]] virtual Result<KmsWrapped> EncryptWith(
      std::string_view key, std::span<const uint8_t> plaintext, const EncryptionContext& context,
      std::span<const std::string> grant_tokens) = 0;
  // DecryptWith is Decrypt with grant tokens; `key` may be empty.
  [[nodiscard]] virtual Result<KmsUnwrapped> DecryptWith(
      std::span<const uint8_t> blob, const EncryptionContext& context, std::string_view key,
      std::span<const std::string> grant_tokens) = 0;
};

// AwsSettings are the AWS CLI's --profile, --region and --endpoint-url (empty:
// from the environment and the shared files), and the client's timeouts.
struct AwsSettings {
  std::string profile;
  std::string region;
  std::string endpoint_url;
  std::chrono::milliseconds connect_timeout{10000};
  std::chrono::milliseconds request_timeout{60000};
};

// AwsKmsClientSupplier returns the client for a region ("" means the
// configured region). Suppliers made here cache one client per region.
using AwsKmsClientSupplier =
    std::function<Result<std::shared_ptr<AwsKmsClient>>(std::string_view region)>;

// NewAwsKmsClientSupplier resolves `settings` against the environment and
// the shared AWS files once (credentials, endpoint, CA bundle, attempts)
// and returns a supplier of clients (the order is in the comment at the top
// of this header). Fails with not_found without credentials, invalid_argument
// for a malformed setting or an unknown named profile, io when a
// credential_process fails. Asking the supplier for "" without a configured
// region fails with invalid_argument.
[[nodiscard]] Result<AwsKmsClientSupplier> NewAwsKmsClientSupplier(const AwsSettings& settings);

// AwsKmsKeyringConfig names the keys of an AWS KMS keyring: a generator
// (makes the data key with GenerateDataKey, or wraps it with Encrypt when
// an earlier keyring made it; may be empty for a keyring of child keys) and
// child keys (wrap the same data key with Encrypt). Keys are key ARNs or alias ARNs (key ids
// and alias names work for encrypting only: a message's EDKs name key
// ARNs). With `mrk_aware`, a multi-Region key ARN (key id "mrk-...")
// decrypts data keys its replicas in other regions wrapped.
struct AwsKmsKeyringConfig {
  std::string generator;
  std::vector<std::string> children;
  std::vector<std::string> grant_tokens;
  bool mrk_aware = false;
};

// NewAwsKmsKeyring returns the AWS KMS keyring. Each key's client comes
// from `supplier` for the region of its ARN. On decrypt it tries, in the
// order of the message's EDKs, each `aws-kms` EDK whose key ARN is one of
// its keys (or, mrk_aware, a replica of one), asking KMS to decrypt with
// that key; the first that opens wins. When none does it fails with every
// attempt in the message (the code of the first that was not an
// authentication failure, else auth_failed; not_found when no EDK was
// addressed to it). Fails with invalid_argument for no key, a malformed
// key, two keys of one multi-Region key (mrk_aware), or no supplier.
[[nodiscard]] Result<std::shared_ptr<const Keyring>> NewAwsKmsKeyring(
    const AwsKmsKeyringConfig& config, AwsKmsClientSupplier supplier);

// AwsKmsDiscoveryFilter restricts discovery to key ARNs of one partition
// and a list of accounts.
struct AwsKmsDiscoveryFilter {
  std::string partition = "aws";
  std::vector<std::string> accounts;
};

// AwsKmsDiscoveryConfig configures a discovery keyring: an optional filter;
// with a non-empty `mrk_region`, the multi-Region-aware variant that calls
// only that region: an EDK of a multi-Region key is decrypted with the
// replica in `mrk_region`, any other EDK only if its ARN is in that region.
struct AwsKmsDiscoveryConfig {
  std::optional<AwsKmsDiscoveryFilter> filter;
  std::vector<std::string> grant_tokens;
  std::string mrk_region;
};

// NewAwsKmsDiscoveryKeyring returns a decrypt-only keyring that tries every
// `aws-kms` EDK whose provider info is a key ARN passing the filter, with
// the client of the ARN's region, and reports every attempt as
// NewAwsKmsKeyring does. Encrypting with it fails with invalid_argument.
// Fails with invalid_argument for a filter without accounts, a malformed
// account or partition, or no supplier.
[[nodiscard]] Result<std::shared_ptr<const Keyring>> NewAwsKmsDiscoveryKeyring(
    const AwsKmsDiscoveryConfig& config, AwsKmsClientSupplier supplier);

}  // namespace envelope
ENVELOPE_EXPORT_END

#endif  // ENVELOPE_AWS_KMS_HPP_
