// lib/aws: one AWS JSON 1.1 call over HttpClient, SigV4 and the standard
// retry mode: the transport of every AWS API client here (AWS KMS, Secrets
// Manager).
//
//   JSON body ──> POST / (Host, Content-Type: application/x-amz-json-1.1,
//                 X-Amz-Target: <target prefix><Operation>) ──> SignRequest
//                 for <signing service> ──> HttpClient::Send
//             ──> 200: the JSON answer
//             ──> else {"__type": "...", "message": "..."} as an Error
//                 "<type>: <message>", retried while IsRetryableAnswer says so
//
// Request and answer bodies may hold secrets (plaintexts, secret values):
// every copy this file makes is wiped before it is freed.
#ifndef ENVELOPE_LIB_AWS_AWS_JSON_CLIENT_H_
#define ENVELOPE_LIB_AWS_AWS_JSON_CLIENT_H_

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "aws/http_client.h"
#include "aws/retry.h"
#include "aws/sigv4.h"
#include "envelope/error.hpp"

namespace envelope::aws {

// AwsJsonClientOptions say which API a client calls, where and as whom.
struct AwsJsonClientOptions {
  std::string label;          // error context: "aws kms", "aws secretsmanager"
  std::string target_prefix;  // "TrentService.", "secretsmanager."
  std::string service;        // SigV4 service: "kms", "secretsmanager"
  std::string region;         // signing region, required
  std::string endpoint_url;   // http(s) URL, required
  std::shared_ptr<const Credentials> credentials;
  HttpClientOptions http;
  RetryOptions retry;
};

// ErrorCodeOf maps an AWS error name and HTTP status to our code.
using ErrorCodeOf = std::function<ErrorCode(std::string_view type, long status)>;

// AwsJsonClient sends the calls of one API; thread-safe.
class AwsJsonClient {
 public:
  // Create checks the options: a region name, credentials, an http(s)
  // endpoint with a host. Fails with invalid_argument ("<label>: ...").
  [[nodiscard]] static Result<std::unique_ptr<AwsJsonClient>> Create(AwsJsonClientOptions options,
                                                                     ErrorCodeOf code_of);

  // Call runs `operation` with the retries; the answer is the JSON object
  // of a 200. An error answer is "<AWS name>: <message>" with the code
  // code_of gives it, and "(N attempts)" at the end after a retry; a
  // transport failure is `io`.
  [[nodiscard]] Result<nlohmann::json> Call(std::string_view operation, const nlohmann::json& body);

  const AwsJsonClientOptions& options() const noexcept { return options_; }
  // connections_opened is HttpClient's count (tests check reuse).
  size_t connections_opened() const noexcept { return http_->connections_opened(); }

 private:
  AwsJsonClient(AwsJsonClientOptions options, ErrorCodeOf code_of, std::unique_ptr<HttpClient> http,
                std::string host)
      : options_(std::move(options)),
        code_of_(std::move(code_of)),
        http_(std::move(http)),
        host_(std::move(host)) {}
  // Attempt sends one signed request; `retry` says whether its failure may
  // be retried, `timeout` whether it was a timeout.
  Result<nlohmann::json> Attempt(std::string_view operation, const std::string& body, bool& retry,
                                 bool& timeout);

  AwsJsonClientOptions options_;
  ErrorCodeOf code_of_;
  std::unique_ptr<HttpClient> http_;
  std::string host_;
  RetryQuota quota_;
};

// WipeString overwrites a string's bytes (a body that held a secret).
void WipeString(std::string& s) noexcept;

}  // namespace envelope::aws

#endif  // ENVELOPE_LIB_AWS_AWS_JSON_CLIENT_H_
