// Kms::AuthorizeServiceAction: the IAM decision of the services built on the
// KMS (SSM Parameter Store, Secrets Manager: lib/secrets, lib/service).
// Their resources have no resource-based policy here, so a request is
// decided by the caller's identity policy alone (iam_authorize.h,
// AuthorizeIdentity), with AWS's action names and resource ARNs:
//
//   ssm:GetParameter     arn:aws:ssm:REGION:ACCOUNT:parameter/app/db
//   secretsmanager:GetSecretValue
//                        arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME-AbCdEf
//   secretsmanager:ListSecrets  *
//
// The decision runs in a transaction of no operation: it reads the users
// and policies as of now and writes no audit line of its own (the request's
// line, refusal or not, is the service's: AuditServiceCall).
#include "kms/kms_impl.h"

namespace envelope::kms {

Result<void> Kms::AuthorizeServiceAction(std::string_view action, std::string_view resource_arn) {
  if (action.find(':') == std::string_view::npos || action.starts_with("kms:") ||
      resource_arn.empty()) {
    return MakeError(ErrorCode::invalid_argument,
                     "kms: AuthorizeServiceAction takes a non-KMS \"service:Action\" and a "
                     "resource ARN or \"*\"");
  }
  return impl_->RunRead({}, [&](Txn& txn) -> Result<void> {
    return internal::AuthorizeIdentity(txn, action, resource_arn);
  });
}

}  // namespace envelope::kms
