// lib/kms: grants, the other way to let a principal use a key: a grant names
// a key, a grantee principal, the operations it may do and, optionally, an
// encryption-context constraint. Grants take effect when CreateGrant returns
// (so a grant token adds nothing: grant_token.h) and end with RetireGrant or
// RevokeGrant. An explicit deny in the key or identity policy still wins.
#ifndef ENVELOPE_LIB_KMS_IAM_GRANTS_H_
#define ENVELOPE_LIB_KMS_IAM_GRANTS_H_

#include <string_view>

#include "envelope/kms_types.hpp"

namespace envelope::kms {
struct Txn;
}  // namespace envelope::kms

namespace envelope::kms::internal {

// GrantAllows reports whether a grant on key `key_id` lets `grantee_arn` do
// `operation` ("Decrypt") with encryption context `context`.
bool GrantAllows(const Txn& txn, std::string_view key_id, std::string_view grantee_arn,
                 std::string_view operation, const EncryptionContext& context);

}  // namespace envelope::kms::internal

#endif  // ENVELOPE_LIB_KMS_IAM_GRANTS_H_
