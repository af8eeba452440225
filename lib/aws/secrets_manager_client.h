// lib/aws: the Secrets Manager client (include/envelope/secrets_manager.hpp)
// over AwsJsonClient: X-Amz-Target secretsmanager.<Operation>, signed for
// "secretsmanager", the shapes of botocore's
// `secretsmanager/2017-10-17/service-2.json`:
//
//   GetSecretValue  {"SecretId": "app/db", "VersionStage": "AWSCURRENT"}
//               ->  {"ARN": "...", "Name": "app/db", "VersionId": "...",
//                    "VersionStages": ["AWSCURRENT"], "CreatedDate": 1764950000.0,
//                    "SecretString": "..."}          (or "SecretBinary": base64)
//   DescribeSecret  {"SecretId": "app/db"}
//               ->  {"ARN": "...", "Name": "...", "VersionIdsToStages":
//                    {"<id>": ["AWSCURRENT"], ...}, "CreatedDate": ..., ...}
//
// The answer's copy of a value is wiped once it is in secret memory.
#ifndef ENVELOPE_LIB_AWS_SECRETS_MANAGER_CLIENT_H_
#define ENVELOPE_LIB_AWS_SECRETS_MANAGER_CLIENT_H_

#include <memory>
#include <string>

#include "aws/aws_json_client.h"
#include "envelope/secrets_manager.hpp"

namespace envelope::aws {

// SecretsManagerClientOptions say where and as whom a client calls.
struct SecretsManagerClientOptions {
  std::string region;        // signing region, required
  std::string endpoint_url;  // empty: https://secretsmanager.REGION.amazonaws.com
  std::shared_ptr<const Credentials> credentials;
  HttpClientOptions http;
  RetryOptions retry;
};

// SecretsManagerHttpClient implements secrets::SecretsManagerClient.
class SecretsManagerHttpClient final : public secrets::SecretsManagerClient {
 public:
  // Create checks the options as AwsJsonClient::Create does.
  [[nodiscard]] static Result<std::shared_ptr<SecretsManagerHttpClient>> Create(
      SecretsManagerClientOptions options);

  Result<secrets::SecretValue> GetSecretValue(std::string_view secret_id,
                                              std::string_view version_id = {},
                                              std::string_view stage = {}) override;
  Result<secrets::SecretInfo> DescribeSecret(std::string_view secret_id) override;

  // connections_opened is HttpClient's count (tests check reuse).
  size_t connections_opened() const noexcept { return json_->connections_opened(); }

 private:
  explicit SecretsManagerHttpClient(std::unique_ptr<AwsJsonClient> json) : json_(std::move(json)) {}
  std::unique_ptr<AwsJsonClient> json_;
};

// SecretsManagerErrorCode maps a Secrets Manager error name (and the HTTP
// status) to our code.
ErrorCode SecretsManagerErrorCode(std::string_view type, long status) noexcept;

}  // namespace envelope::aws

#endif  // ENVELOPE_LIB_AWS_SECRETS_MANAGER_CLIENT_H_
