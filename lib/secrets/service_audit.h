// lib/secrets: the audit lines of the parameter and secret operations, in
// the KMS's audit log (Kms::AuditServiceCall) beside the KMS lines of the
// encryptions and decryptions they make:
//
//   {"eventSource": "ssm.amazonaws.com", "eventName": "PutParameter",
//    "requestParameters": {"name": "/app/db", "type": "SecureString",
//                          "overwrite": "true", "keyId": "alias/app"},
//    "resources": [{"type": "AWS::SSM::Parameter", "ARN": "arn:aws:ssm:..."}],
//    "userIdentity": {...the caller...}, "errorCode": ... (failures only)}
//
// Written by the stores for every write (PutParameter,
// LabelParameterVersion, DeleteParameter, CreateSecret, PutSecretValue,
// DeleteSecret, RestoreSecret, RotateSecret) and every read that decrypts a
// value (GetParameter, GetParameters, GetParametersByPath and
// GetParameterHistory with decryption, GetSecretValue), successful or not;
// the server (lib/service) writes the line of every other request (reads
// without decryption, DescribeSecret, ListSecrets, refusals), so each
// request through it is one line. Never a value.
#ifndef ENVELOPE_LIB_SECRETS_SERVICE_AUDIT_H_
#define ENVELOPE_LIB_SECRETS_SERVICE_AUDIT_H_

#include <string>
#include <string_view>
#include <utility>

#include "envelope/kms.hpp"

namespace envelope::secrets::internal {

inline constexpr char kSsmSource[] = "ssm.amazonaws.com";
inline constexpr char kSecretsSource[] = "secretsmanager.amazonaws.com";
inline constexpr char kParameterResource[] = "AWS::SSM::Parameter";
inline constexpr char kSecretResource[] = "AWS::SecretsManager::Secret";

// Bool is a flag as a request parameter.
inline std::string Bool(bool b) { return b ? "true" : "false"; }

// SecretCall is the line of Secrets Manager operation `operation` on
// `secret_id`, naming the secret's ARN when `outcome` (a Result of a type
// with an `arn`) holds one.
template <typename T>
kms::ServiceCall SecretCall(std::string operation, const Result<T>& outcome,
                            std::string_view secret_id) {
  return {kSecretsSource,
          std::move(operation),
          kSecretResource,
          outcome ? outcome->arn : std::string(),
          {{"secret_id", std::string(secret_id)}}};
}

// Audited writes the line of `call` with the outcome of `result` and
// returns `result`. An operation that was done but whose line could not be
// written fails with the audit log's error (as the KMS's own operations do).
template <typename T>
Result<T> Audited(kms::Kms& kms, const kms::ServiceCall& call, Result<T> result) {
  auto line = kms.AuditServiceCall(call, result ? nullptr : &result.error());
  if (!line && result) {
    return tl::unexpected(line.error().WithContext("audit log (the operation itself was done)"));
  }
  return result;
}

}  // namespace envelope::secrets::internal

#endif  // ENVELOPE_LIB_SECRETS_SERVICE_AUDIT_H_
