// envelope: a client of the AWS Secrets Manager API, for the secrets that
// `envelope kms serve` (or AWS Secrets Manager itself) keeps, and the
// SecretCache on it.
//
//   auto client = envelope::secrets::NewSecretsManagerClient(
//       {.region = "us-east-1", .endpoint_url = "https://127.0.0.1:4443"});
//   auto cache = envelope::secrets::SecretCache::ForClient(*client, {.ttl = 5min});
//   auto password = cache.GetSecretValue("app/db");   // one GetSecretValue per TTL
//
// It speaks AWS JSON 1.1 over HTTPS (X-Amz-Target: secretsmanager.<Operation>,
// SigV4 for service "secretsmanager") through the same transport as the AWS
// KMS client (aws_kms.hpp): connections kept open, the standard retry mode,
// credentials, region, CA bundle and endpoint from AwsSettings, the
// environment and the shared AWS files (AWS_ENDPOINT_URL_SECRETS_MANAGER,
// then AWS_ENDPOINT_URL, else https://secretsmanager.REGION.amazonaws.com).
//
// Errors keep Secrets Manager's exception name at the start of the message
// ("ResourceNotFoundException: ...") and map to our codes: not_found
// (ResourceNotFoundException), auth_failed (DecryptionFailure),
// invalid_argument (InvalidRequestException, InvalidParameterException,
// refused credentials or permission), limit_exceeded (throttling, after the
// retries), io (transport and 5xx, after the retries), malformed (an answer
// without the members it must have).
#ifndef ENVELOPE_SECRETS_MANAGER_HPP_
#define ENVELOPE_SECRETS_MANAGER_HPP_

#include <memory>
#include <string_view>

#include "envelope/aws_kms.hpp"
#include "envelope/error.hpp"
#include "envelope/export.h"
#include "envelope/secrets.hpp"

ENVELOPE_EXPORT_BEGIN
namespace envelope::secrets {

// SecretsManagerClient reads secrets over the network. Safe to call from
// several threads at once.
class SecretsManagerClient {
 public:
  virtual ~SecretsManagerClient() = default;

  // GetSecretValue returns the version named by `version_id`, else by
  // `stage` (default AWSCURRENT), with its value in secret memory.
  [[nodiscard]] virtual Result<SecretValue> GetSecretValue(std::string_view secret_id,
                                                           std::string_view version_id = {},
                                                           std::string_view stage = {}) = 0;
  // DescribeSecret returns a secret's metadata: its versions and their
  // staging labels, dates, rotation settings (no value, no decryption).
  [[nodiscard]] virtual Result<SecretInfo> DescribeSecret(std::string_view secret_id) = 0;
};

// NewSecretsManagerClient resolves `settings` against the environment and
// the shared AWS files (as NewAwsKmsClientSupplier does) and returns a
// client for the configured region. Fails with not_found without
// credentials, invalid_argument without a region or for a malformed
// setting.
[[nodiscard]] Result<std::shared_ptr<SecretsManagerClient>> NewSecretsManagerClient(
    const AwsSettings& settings);

}  // namespace envelope::secrets
ENVELOPE_EXPORT_END

#endif  // ENVELOPE_SECRETS_MANAGER_HPP_
