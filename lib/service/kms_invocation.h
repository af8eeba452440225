// lib/service: one KMS API operation in progress (Invocation), shared by
// the handlers of kms_api.cc and kms_api_iam.cc (key policies and grants).
#ifndef ENVELOPE_LIB_SERVICE_KMS_INVOCATION_H_
#define ENVELOPE_LIB_SERVICE_KMS_INVOCATION_H_

#include <algorithm>
#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "aws/arn.h"
#include "envelope/kms.hpp"
#include "message/base64.h"
#include "service/json_request.h"
#include "service/kms_api.h"

namespace envelope::service::internal {

// Seconds is a time as AWS JSON answers it: seconds since the epoch.
inline double Seconds(kms::TimePoint t) {
  return static_cast<double>(
             std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count()) /
         1000.0;
}

inline std::string Base64(std::span<const uint8_t> bytes) { return message::Base64Encode(bytes); }

inline constexpr char kSymmetricDefault[] = "SYMMETRIC_DEFAULT";

// Invocation is one operation in progress: the request, the Kms and what the
// audit line will name.
struct Invocation {
  kms::Kms& kms;
  const KmsApi& api;
  const Request& request;
  std::string key_arn;
  bool reached_kms = false;

  // K is the Kms, for every call a handler makes (so the answer can say
  // whether a key operation ran, and wrote its own audit line).
  kms::Kms& K() {
    reached_kms = true;
    return kms;
  }

  // Key resolves a KeyId member to what Kms takes (a key id or an alias
  // name). An ARN of another partition, region or account names no key.
  Step<std::string> Key(const std::string& key_id) const {
    auto ref = aws::ClassifyKeyId(key_id);
    if (!ref) return FromError(ref.error());
    if (ref->arn) {
      const KmsApiConfig& config = api.config();
      if (ref->arn->partition != config.partition || ref->arn->region != config.region ||
          ref->arn->account != config.account) {
        return Fail("NotFoundException", "Key '" + key_id + "' does not exist");
      }
    }
    return ref->name;
  }

  Step<std::string> RequiredKey(const char* member = "KeyId") const {
    auto id = request.RequiredString(member, aws::kMaxKeyIdSize);
    ENVELOPE_RETURN_IF_ERROR(id);
    return Key(*id);
  }

  // Use records the key a call worked on and returns its ARN.
  std::string Use(std::string_view key_id) {
    key_arn = api.KeyArn(key_id);
    return key_arn;
  }

  json Metadata(const kms::KeyMetadata& m) const {
    json j = {{"AWSAccountId", api.config().account},
              {"KeyId", m.key_id},
              {"Arn", api.KeyArn(m.key_id)},
              {"CreationDate", Seconds(m.creation_date)},
              {"Enabled", m.state == kms::KeyState::enabled},
              {"Description", m.description},
              {"KeyUsage", "ENCRYPT_DECRYPT"},
              {"KeyState", std::string(kms::KeyStateName(m.state))},
              {"Origin", "AWS_KMS"},
              {"KeyManager", "CUSTOMER"},
              {"CustomerMasterKeySpec", kSymmetricDefault},
              {"KeySpec", kSymmetricDefault},
              {"EncryptionAlgorithms", json::array({kSymmetricDefault})},
              {"MultiRegion", m.key_id.starts_with("mrk-")}};
    if (m.deletion_date) j["DeletionDate"] = Seconds(*m.deletion_date);
    return j;
  }
};

using Handler = Step<json> (*)(Invocation&);

// GrantTokens reads GrantTokens (GrantTokenList: at most 10 tokens of 1 to
// 8192 characters), for the kms::ScopedGrantTokens of the Kms call.
inline Step<std::vector<std::string>> GrantTokens(const Request& request) {
  auto tokens = request.StringList("GrantTokens", 10);
  ENVELOPE_RETURN_IF_ERROR(tokens);
  for (const std::string& token : *tokens) {
    if (token.empty() || token.size() > 8192) {
      return Invalid("GrantTokens", "'[" + std::to_string(token.size()) + " characters]'",
                     "Member must satisfy constraint: [Member must have length less than or "
                     "equal to 8192, Member must have length greater than or equal to 1]");
    }
  }
  return tokens;
}

// Page answers a list operation with Limit/Marker paging. The marker is the
// decimal index of the next item.
template <typename T>
inline Step<json> Page(const Request& request, const std::vector<T>& items, const char* member,
                       const std::function<json(const T&)>& render) {
  auto limit = request.Integer("Limit", 1, 1000);
  ENVELOPE_RETURN_IF_ERROR(limit);
  auto marker = request.String("Marker", 1024);
  ENVELOPE_RETURN_IF_ERROR(marker);
  size_t start = 0;
  if (*marker) {
    const std::string& m = **marker;
    bool digits = !m.empty() && m.size() <= 9;
    for (char c : m) {
      digits = digits && c >= '0' && c <= '9';
      if (digits) start = start * 10 + static_cast<size_t>(c - '0');
    }
    if (!digits || start > items.size()) {
      return Fail("InvalidMarkerException", "the marker is not one this server returned");
    }
  }
  const size_t count = std::min(items.size() - start, static_cast<size_t>(limit->value_or(100)));
  json list = json::array();
  for (size_t i = start; i < start + count; ++i) list.push_back(render(items[i]));
  json answer = {{member, std::move(list)}, {"Truncated", start + count < items.size()}};
  if (start + count < items.size()) answer["NextMarker"] = std::to_string(start + count);
  return answer;
}

// The handlers of kms_api_iam.cc.
Step<json> PutKeyPolicy(Invocation& call);
Step<json> GetKeyPolicy(Invocation& call);
Step<json> ListKeyPolicies(Invocation& call);
Step<json> CreateGrant(Invocation& call);
Step<json> ListGrants(Invocation& call);
Step<json> RetireGrant(Invocation& call);
Step<json> RevokeGrant(Invocation& call);

}  // namespace envelope::service::internal

#endif  // ENVELOPE_LIB_SERVICE_KMS_INVOCATION_H_
