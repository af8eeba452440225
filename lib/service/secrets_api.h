// lib/service: the AWS Secrets Manager JSON API (secretsmanager) over the
// secrets of a Kms's keystore (lib/secrets).
//
// SecretsApi turns one operation's JSON request into the SecretStore call
// it names and the answer into Secrets Manager's response shape (botocore's
// `secretsmanager/2017-10-17/service-2.json`):
//
//   request   {"SecretId": "app/db", "VersionStage": "AWSCURRENT"}
//   response  {"ARN": "arn:aws:secretsmanager:REGION:ACCOUNT:secret:app/db-AbCdEf",
//              "Name": "app/db", "VersionId": "...", "SecretString": "...",
//              "VersionStages": ["AWSCURRENT"], "CreatedDate": 1764950000.0}
//   error     400 {"__type": "ResourceNotFoundException", "message": "..."}
//
// Operations: CreateSecret, GetSecretValue, PutSecretValue, DescribeSecret,
// ListSecrets, RotateSecret, DeleteSecret, RestoreSecret. Each is
// authorized first as IAM does, by the caller's identity policy
// (Kms::AuthorizeServiceAction): action "secretsmanager:<Operation>" on the
// secret's ARN (`...:secret:NAME-AbCdEf`; for a secret that does not exist
// yet or not at all, `...:secret:NAME`; ListSecrets: "*"),
// AccessDeniedException otherwise, with nothing changed. Every request is
// one audit line (the store's, or the request's own for DescribeSecret,
// ListSecrets and refusals), never with a value. Every read of a value is
// also a Kms Decrypt, audited and checked by the KMS for the request's
// caller: a KMS refusal is AccessDeniedException "Access to KMS is not
// allowed", as in Secrets Manager; another KMS failure is EncryptionFailure
// on a write and DecryptionFailure on a read. RotateSecret runs the rotation command configured
// locally (`envelope secrets rotate --command`); a request never names a
// command: RotationLambdaARN is refused (InvalidParameterException), so the
// network cannot make the server run a program of its choosing. Tags,
// replicas and ListSecrets filters are refused rather than ignored.
#ifndef ENVELOPE_LIB_SERVICE_SECRETS_API_H_
#define ENVELOPE_LIB_SERVICE_SECRETS_API_H_

#include <string_view>

#include "envelope/kms.hpp"
#include "service/kms_api.h"

namespace envelope::service {

// SecretsApi answers Secrets Manager operations from the secrets of
// `kms`'s keystore, with ARNs under `config`. `kms` must outlive it.
class SecretsApi {
 public:
  SecretsApi(kms::Kms& kms, KmsApiConfig config) : kms_(kms), config_(std::move(config)) {}

  // Call runs `operation` ("GetSecretValue", the part after
  // "secretsmanager.") on the JSON `body`. It never throws.
  KmsApiResult Call(std::string_view operation, std::string_view body) noexcept;

 private:
  kms::Kms& kms_;
  KmsApiConfig config_;
};

}  // namespace envelope::service

#endif  // ENVELOPE_LIB_SERVICE_SECRETS_API_H_
