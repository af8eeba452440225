// lib/service: the AWS KMS JSON API (TrentService) over a local Kms.
//
// KmsApi turns one operation's JSON request into the Kms call it names and
// the Kms's answer into AWS KMS's response shape, so that the AWS CLI, the
// AWS SDKs and the ESDKs' KMS keyrings work against our keystore. It does
// no HTTP and no authentication (the stages before it in the request
// pipeline): it only speaks the shapes of the model in botocore's
// `kms/2014-11-01/service-2.json`.
//
//   request   {"KeyId": "alias/app", "Plaintext": "aGVsbG8=",
//              "EncryptionContext": {"dept": "A"}}
//   response  {"CiphertextBlob": "...", "KeyId": "arn:aws:kms:REGION:ACCOUNT:key/ID",
//              "EncryptionAlgorithm": "SYMMETRIC_DEFAULT"}
//   error     400 {"__type": "NotFoundException", "message": "..."}
//
// Blobs are base64, times are seconds since the epoch. A KeyId may be a key
// id, a key ARN, an alias name or an alias ARN; an ARN of another account
// or region names no key here (NotFoundException). Operations the Kms does
// not have answer UnsupportedOperationException; a body that is not a JSON
// object of the right member types, SerializationException; a value out of
// its range, ValidationException. A failed call changes nothing.
#ifndef ENVELOPE_LIB_SERVICE_KMS_API_H_
#define ENVELOPE_LIB_SERVICE_KMS_API_H_

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "envelope/kms.hpp"

namespace envelope::service {

// KmsApiConfig is where the keys live, as their ARNs say.
struct KmsApiConfig {
  std::string partition = "aws";
  std::string region = "us-east-1";
  std::string account = "111122223333";
};

// KmsApiResult is one answer: the HTTP status and JSON body, and for the
// audit log the error type (empty on success) and the key the call used
// (its ARN, when the Kms's answer named it).
struct KmsApiResult {
  int http_status = 200;
  std::string body;
  std::string error_type;
  std::string error_message;
  std::string key_arn;
  // reached_kms says whether a Kms operation ran (and wrote its audit
  // line); false for requests refused on their shape alone.
  bool reached_kms = false;
};

// SuccessAnswer is the 200 answer carrying `answer` (text that is not UTF-8
// is replaced, never thrown on).
inline KmsApiResult SuccessAnswer(const nlohmann::json& answer) {
  KmsApiResult result;
  result.reached_kms = true;
  result.body = answer.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return result;
}

// KmsApi answers KMS operations from `kms`, which must outlive it. It is
// as thread-safe as Kms (calls are serialised there).
class KmsApi {
 public:
  KmsApi(kms::Kms& kms, KmsApiConfig config) : kms_(kms), config_(std::move(config)) {}

  // Call runs `operation` ("Encrypt", the part after "TrentService.") on
  // the JSON `body`. It never throws.
  KmsApiResult Call(std::string_view operation, std::string_view body) noexcept;

  // KeyArn returns the ARN of key id `key_id` under this configuration.
  std::string KeyArn(std::string_view key_id) const;

  const KmsApiConfig& config() const noexcept { return config_; }

 private:
  kms::Kms& kms_;
  KmsApiConfig config_;
};

}  // namespace envelope::service

#endif  // ENVELOPE_LIB_SERVICE_KMS_API_H_
