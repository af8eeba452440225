// lib/service: the SSM Parameter Store JSON API (AmazonSSM) over the
// parameters of a Kms's keystore (lib/secrets).
//
// SsmApi turns one operation's JSON request into the ParameterStore call it
// names and the answer into SSM's response shape (botocore's
// `ssm/2014-11-06/service-2.json`), so `aws ssm get-parameter
// --with-decryption` and @aws-sdk/client-ssm work against our server:
//
//   request   {"Name": "/app/db", "WithDecryption": true}
//   response  {"Parameter": {"Name": "/app/db", "Type": "SecureString",
//              "Value": "...", "Version": 2, "LastModifiedDate": 1764950000.0,
//              "ARN": "arn:aws:ssm:REGION:ACCOUNT:parameter/app/db",
//              "DataType": "text"}}
//   error     400 {"__type": "ParameterNotFound", "message": "..."}
//
// Operations: PutParameter, GetParameter, GetParameters,
// GetParametersByPath, GetParameterHistory, LabelParameterVersion,
// DeleteParameter. Each is authorized first as IAM does, by the caller's
// identity policy (Kms::AuthorizeServiceAction): action "ssm:<Operation>"
// on the parameter's ARN (GetParametersByPath: the path's; GetParameters:
// every name's, one refused name refuses the request), AccessDeniedException
// otherwise, with nothing changed. Every request is one audit line
// (service_audit.h: the store's, or the request's own for reads without
// decryption and refusals), never with a value. A SecureString decryption is
// also a Kms Decrypt, with its own line and the KMS's own check of the
// caller (the pipeline's ScopedRequestCaller). A KMS key that
// does not exist is InvalidKeyId, as in SSM. Standard tier only; Tags,
// Policies, AllowedPattern and ParameterFilters are refused
// (ValidationException) rather than ignored.
#ifndef ENVELOPE_LIB_SERVICE_SSM_API_H_
#define ENVELOPE_LIB_SERVICE_SSM_API_H_

#include <string_view>

#include "envelope/kms.hpp"
#include "service/kms_api.h"

namespace envelope::service {

// SsmApi answers SSM operations from the parameters of `kms`'s keystore,
// with ARNs under `config`. `kms` must outlive it; thread-safe.
class SsmApi {
 public:
  SsmApi(kms::Kms& kms, KmsApiConfig config) : kms_(kms), config_(std::move(config)) {}

  // Call runs `operation` ("GetParameter", the part after "AmazonSSM.") on
  // the JSON `body` for the access key `caller` (a version's
  // LastModifiedUser). It never throws.
  KmsApiResult Call(std::string_view operation, std::string_view body,
                    std::string_view caller) noexcept;

 private:
  kms::Kms& kms_;
  KmsApiConfig config_;
};

}  // namespace envelope::service

#endif  // ENVELOPE_LIB_SERVICE_SSM_API_H_
