// lib/kms: who may use which key: the users, key policies and grants a
// keystore holds, and their part of the keystore payload (keystore_state.h).
//
//   "iam": {"users": {"alice": {"account": "111122223333", "created": <ms>,
//                               "policy": "<identity policy JSON>"}},   (optional)
//           "access_key_users": {"AKIA...": "alice"},
//           "key_policies": {"<key id>": "<key policy JSON>"},
//           "grants": {"<grant id>": {"key": "<key id>", "grantee": ARN,
//                      "retiring": ARN, "operations": ["Decrypt"],
//                      "equals": {...}, "subset": {...}, "name": "...",
//                      "created": <ms>, "issuer": ARN}}}
//
// A key without an entry in key_policies has the default key policy (the
// account's root may do everything, as in AWS KMS); an access key without a
// user belongs to the account's root. The member is absent from keystores
// written before it existed, which read as no users, policies or grants.
#ifndef ENVELOPE_LIB_KMS_IAM_STATE_H_
#define ENVELOPE_LIB_KMS_IAM_STATE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "envelope/kms_types.hpp"

namespace envelope::kms::internal {

// UserRecord is one user: the account it belongs to and its identity policy.
struct UserRecord {
  std::string account;
  int64_t created_ms = 0;
  std::string policy;  // empty: none (the user may do nothing on its own)
};

// GrantRecord is one grant on one key.
struct GrantRecord {
  std::string key_id;
  std::string grantee;   // principal ARN
  std::string retiring;  // principal ARN, may be empty
  std::string issuer;    // principal ARN of the creator
  std::string name;
  std::vector<std::string> operations;  // "Decrypt", "Encrypt", ...
  EncryptionContext equals;             // EncryptionContextEquals
  EncryptionContext subset;             // EncryptionContextSubset
  int64_t created_ms = 0;
};

// IamState is the access-control part of a keystore.
struct IamState {
  std::map<std::string, UserRecord> users;              // by user name
  std::map<std::string, std::string> access_key_users;  // access key id -> user name
  std::map<std::string, std::string> key_policies;      // key id -> policy text
  std::map<std::string, GrantRecord> grants;            // by grant id
};

// EncodeIam adds the "iam" member to `doc` when `iam` holds anything; key
// policies and grants of keys for which `key_exists` is false are dropped.
void EncodeIam(const IamState& iam, const std::function<bool(const std::string&)>& key_exists,
               nlohmann::json& doc);

// DecodeIam reads the "iam" member of `doc`, if any. Throws
// std::invalid_argument (caught by DecodePayload) for a malformed member.
IamState DecodeIam(const nlohmann::json& doc);

}  // namespace envelope::kms::internal

#endif  // ENVELOPE_LIB_KMS_IAM_STATE_H_
