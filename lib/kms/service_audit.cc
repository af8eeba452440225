// Kms::AuditServiceCall: the audit lines of the services built on the KMS
// (SSM Parameter Store and Secrets Manager, lib/secrets), in the same log,
// hash chain and record shape as the KMS's own lines.
#include "kms/kms_impl.h"

namespace envelope::kms {

Result<void> Kms::AuditServiceCall(const ServiceCall& call, const Error* outcome) {
  auto recorded = impl_->RunRead(call.operation, [&](Txn& txn) -> Result<void> {
    txn.event.source = call.source;
    txn.event.resource_type = call.resource_type;
    txn.event.resource_arn = call.resource_arn;
    for (const auto& [name, value] : call.request) txn.event.request[name] = value;
    // A network caller by name (its user's ARN), as the KMS's own lines
    // have it; an access key deleted meanwhile keeps only its id
    // (AttachCaller). Without one the line names the keystore's owner
    // ("invokedBy": "envelope").
    if (internal::CurrentRequestCaller() != nullptr) {
      if (auto caller = internal::CurrentCaller(txn.state, *txn.options)) {
        internal::RecordPrincipal(txn, *caller);
      }
    }
    if (outcome != nullptr) return tl::unexpected(*outcome);
    return {};
  });
  if (!recorded && outcome != nullptr && recorded.error() == *outcome) return {};
  return recorded;
}

}  // namespace envelope::kms
