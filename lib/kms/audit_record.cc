#include "kms/audit_record.h"

#include <unistd.h>

#include "crypto/random.h"
#include "crypto/utf8.h"

namespace envelope::kms::internal {
namespace {

using nlohmann::json;

std::string Text(std::string_view text) {
  if (crypto::IsValidUtf8(text)) return std::string(text);
  return "(not valid UTF-8, length " + std::to_string(text.size()) + ")";
}

// Camel turns a snake_case parameter name into CloudTrail's camelCase.
std::string Camel(std::string_view name) {
  std::string out;
  bool upper = false;
  for (char c : name) {
    if (c == '_') {
      upper = true;
      continue;
    }
    out += upper && c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
    upper = false;
  }
  return out;
}

bool ReadOnly(std::string_view op) {
  return op.starts_with("Describe") || op.starts_with("List") || op.starts_with("Get") ||
         op == "VerifyAuditLog";
}

// Split turns "NotFoundException: key x ..." into its AWS name and the
// rest; messages that name none keep the error code's name.
std::pair<std::string, std::string> Split(const Error& error) {
  const std::string& m = error.message();
  const size_t colon = m.find(": ");
  if (colon != std::string::npos && colon > 0 && colon < 64 && m[0] >= 'A' && m[0] <= 'Z' &&
      m.find(' ') > colon) {
    return {m.substr(0, colon), m.substr(colon + 2)};
  }
  return {std::string(ErrorCodeName(error.code())), m};
}

}  // namespace

json CloudTrailRecord(const AuditEvent& e) {
  std::map<std::string, std::string> request = e.request;
  auto take = [&](const char* name) {
    auto it = request.find(name);
    if (it == request.end()) return std::string();
    std::string value = it->second;
    request.erase(it);
    return value;
  };
  const std::string access_key = take("caller_access_key_id");
  const std::string source_ip = take("source_ip");
  const std::string user_agent = take("user_agent");
  const std::string request_id = take("request_id");
  std::string arn = take("principal_arn");
  std::string account = take("principal_account");
  const std::string user = take("principal_user");

  json identity = json::object();
  if (arn.empty() && access_key.empty() && !e.account.empty()) {
    // No network request: the keystore's own machine, its owner's root.
    arn = "arn:" + e.partition + ":iam::" + e.account + ":root";
    account = e.account;
    identity["invokedBy"] = "envelope";
  }
  identity["type"] = arn.empty() ? "Unknown" : user.empty() ? "Root" : "IAMUser";
  if (!arn.empty()) identity["arn"] = Text(arn);
  if (!account.empty()) identity["accountId"] = Text(account);
  if (!access_key.empty()) identity["accessKeyId"] = Text(access_key);
  if (!user.empty()) identity["userName"] = Text(user);
  identity["principalId"] = Text(user.empty() ? account : user);

  json parameters = json::object();
  if (!e.key_id.empty()) parameters["keyId"] = Text(e.key_id);
  if (!e.context.empty()) {
    json context = json::object();
    for (const auto& [k, v] : e.context) context[Text(k)] = Text(v);
    parameters["encryptionContext"] = std::move(context);
  }
  for (const auto& [k, v] : request) parameters[Camel(Text(k))] = Text(v);

  json record = {{"eventVersion", "1.08"},
                 {"userIdentity", std::move(identity)},
                 {"eventTime", FormatTime(e.time)},
                 {"eventSource", Text(e.source)},
                 {"eventName", Text(e.operation)},
                 {"awsRegion", Text(e.region)},
                 {"sourceIPAddress", source_ip.empty() ? "localhost" : Text(source_ip)},
                 {"userAgent", user_agent.empty() ? "envelope" : Text(user_agent)},
                 {"requestParameters", std::move(parameters)},
                 {"responseElements", nullptr},
                 {"additionalEventData",
                  {{"keyVersion", e.key_version}, {"uid", getuid()}, {"pid", getpid()}}},
                 {"requestID", request_id.empty() ? crypto::RandomUuid() : Text(request_id)},
                 {"eventID", crypto::RandomUuid()},
                 {"readOnly", ReadOnly(e.operation)},
                 {"eventType", "AwsApiCall"},
                 {"managementEvent", true},
                 {"recipientAccountId", Text(e.account)},
                 {"eventCategory", "Management"}};
  if (e.error) {
    auto [code, message] = Split(*e.error);
    record["errorCode"] = Text(code);
    record["errorMessage"] = Text(message);
  }
  if (!e.resource_arn.empty()) {
    record["resources"] = json::array({{{"accountId", Text(e.account)},
                                        {"type", Text(e.resource_type)},
                                        {"ARN", Text(e.resource_arn)}}});
  } else if (!e.key_id.empty() && !e.account.empty()) {
    record["resources"] = json::array({{{"accountId", Text(e.account)},
                                        {"type", "AWS::KMS::Key"},
                                        {"ARN", Text("arn:" + e.partition + ":kms:" + e.region +
                                                     ":" + e.account + ":key/" + e.key_id)}}});
  } else {
    record["resources"] = json::array();
  }
  return record;
}

}  // namespace envelope::kms::internal
