// lib/kms: the content of one audit line, in CloudTrail's record shape
// (audit_log.cc adds "seq" and "prev", the hash chain, and writes it).
//
//   {"eventVersion": "1.08", "eventSource": "kms.amazonaws.com",
//    "eventName": "Encrypt", "eventTime": "2026-12-05T16:50:00.000Z",
//    "awsRegion": "us-east-1", "eventType": "AwsApiCall",
//    "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::111122223333:user/alice",
//                     "accountId": "111122223333", "accessKeyId": "AKIA...",
//                     "userName": "alice", "principalId": "alice"},
//    "sourceIPAddress": "127.0.0.1", "userAgent": "aws-cli/2 ...",
//    "requestParameters": {"keyId": "<key id>", "encryptionContext": {...}, ...},
//    "responseElements": null,
//    "errorCode": "AccessDeniedException", "errorMessage": "User: ...",  (failures only)
//    "additionalEventData": {"keyVersion": 2, "uid": 1000, "pid": 4242},
//    "requestID": "<uuid>", "eventID": "<uuid>", "readOnly": false,
//    "resources": [{"accountId": "111122223333", "type": "AWS::KMS::Key", "ARN": "arn:..."}],
//    "managementEvent": true, "recipientAccountId": "111122223333",
//    "eventCategory": "Management", "seq": 17, "prev": "<hex>"}
//
// A caller that opened the keystore itself is the account's root
// ("type": "Root", "invokedBy": "envelope"). Never plaintext or key
// material: request parameters are ids, lengths and encryption contexts.
#ifndef ENVELOPE_LIB_KMS_AUDIT_RECORD_H_
#define ENVELOPE_LIB_KMS_AUDIT_RECORD_H_

#include <nlohmann/json.hpp>

#include "kms/audit_log.h"

namespace envelope::kms::internal {

// CloudTrailRecord returns the record of `event` without "seq" and "prev".
// Every string in it is valid UTF-8 (others are replaced), so dump() cannot
// throw.
nlohmann::json CloudTrailRecord(const AuditEvent& event);

}  // namespace envelope::kms::internal

#endif  // ENVELOPE_LIB_KMS_AUDIT_RECORD_H_
