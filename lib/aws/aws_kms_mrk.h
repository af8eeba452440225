// lib/aws: multi-Region keys as the AWS Encryption SDK sees them
// (framework/aws-kms/aws-kms-mrk-match-for-decrypt.md and aws-kms-key-arn.md).
//
//   arn:aws:kms:us-east-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab
//   arn:aws:kms:eu-west-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab
//                ^^^^^^^^^ the only part in which two replicas differ
#ifndef ENVELOPE_LIB_AWS_AWS_KMS_MRK_H_
#define ENVELOPE_LIB_AWS_AWS_KMS_MRK_H_

#include <string_view>

#include "aws/arn.h"

namespace envelope::aws {

// IsMultiRegionKey reports whether an identifier names a multi-Region key:
// a key ARN or a bare key id whose id starts with "mrk-". Aliases never do.
bool IsMultiRegionKey(std::string_view identifier) noexcept;

// MrkMatchForDecrypt reports whether a configured key identifier may
// decrypt an EDK whose provider info is `edk_key_arn`: they are equal, or
// both are multi-Region key ARNs that differ in their region only.
bool MrkMatchForDecrypt(std::string_view configured, std::string_view edk_key_arn);

}  // namespace envelope::aws

#endif  // ENVELOPE_LIB_AWS_AWS_KMS_MRK_H_
