// lib/aws: the AWS KMS client (include/envelope/aws_kms.hpp's AwsKmsClient)
// over AwsJsonClient (X-Amz-Target: TrentService.<Operation>, signed for
// "kms"; aws_json_client.h draws one call).
#ifndef ENVELOPE_LIB_AWS_AWS_KMS_CLIENT_H_
#define ENVELOPE_LIB_AWS_AWS_KMS_CLIENT_H_

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "aws/aws_json_client.h"
#include "aws/http_client.h"
#include "aws/retry.h"
#include "aws/sigv4.h"
#include "envelope/aws_kms.hpp"

namespace envelope::aws {

// AwsKmsClientOptions say where and as whom a client calls.
struct AwsKmsClientOptions {
  std::string region;        // signing region, required
  std::string endpoint_url;  // empty: KmsEndpointForRegion(region)
  std::shared_ptr<const Credentials> credentials;
  HttpClientOptions http;
  RetryOptions retry;
};

// KmsHttpClient implements AwsKmsClient.
class KmsHttpClient final : public AwsKmsClient {
 public:
  // Create checks the options: a region name, credentials, an http(s)
  // endpoint. Fails with invalid_argument.
  [[nodiscard]] static Result<std::shared_ptr<KmsHttpClient>> Create(AwsKmsClientOptions options);

  const std::string& region() const override { return options_.region; }
  const std::string& endpoint() const { return json_->options().endpoint_url; }

  // Call runs one KMS operation with the retries; the answer is the JSON
  // object of a 200. Errors as AwsKmsClient's, with "(N attempts)" at the
  // end after a retry.
  [[nodiscard]] Result<nlohmann::json> Call(std::string_view operation, const nlohmann::json& body);

  // connections_opened is HttpClient's count (tests check reuse).
  size_t connections_opened() const noexcept { return json_->connections_opened(); }

  Result<KmsDataKey> GenerateDataKey(std::string_view key,
                                     const EncryptionContext& context) override;
  Result<KmsWrapped> Encrypt(std::string_view key, std::span<const uint8_t> plaintext,
                             const EncryptionContext& context) override;
  Result<KmsUnwrapped> Decrypt(std::span<const uint8_t> blob, const EncryptionContext& context,
                               std::string_view expected_key) override;
  Result<KmsWrapped> ReEncrypt(std::span<const uint8_t> blob,
                               const EncryptionContext& source_context,
                               std::string_view destination_key,
                               const EncryptionContext& destination_context) override;
  Result<KmsDataKey> GenerateDataKeyWith(std::string_view key, const EncryptionContext& context,
                                         size_t size,
                                         std::span<const std::string> grant_tokens) override;
  Result<KmsWrapped> EncryptWith(std::string_view key, std::span<const uint8_t> plaintext,
                                 const EncryptionContext& context,
                                 std::span<const std::string> grant_tokens) override;
  Result<KmsUnwrapped> DecryptWith(std::span<const uint8_t> blob, const EncryptionContext& context,
                                   std::string_view key,
                                   std::span<const std::string> grant_tokens) override;

 private:
  KmsHttpClient(AwsKmsClientOptions options, std::unique_ptr<AwsJsonClient> json)
      : options_(std::move(options)), json_(std::move(json)) {}

  AwsKmsClientOptions options_;
  std::unique_ptr<AwsJsonClient> json_;
};

// AwsErrorCode maps an AWS error name (and the HTTP status) to our code.
ErrorCode AwsErrorCode(std::string_view type, long status) noexcept;

}  // namespace envelope::aws

#endif  // ENVELOPE_LIB_AWS_AWS_KMS_CLIENT_H_
