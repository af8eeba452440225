#include "aws/secrets_manager_client.h"

#include <cmath>

#include "aws/aws_config.h"
#include "aws/retry.h"
#include "message/base64.h"

namespace envelope::aws {
namespace {

using json = nlohmann::json;
using secrets::SecretInfo;
using secrets::SecretValue;
using secrets::SecretVersion;

constexpr char kLabel[] = "aws secretsmanager";

tl::unexpected<Error> Malformed(std::string_view operation, std::string_view what) {
  return MakeError(ErrorCode::malformed, std::string(kLabel) + ": the " + std::string(operation) +
                                             " answer has no valid " + std::string(what));
}

// Text returns string member `name`, or Malformed when it is missing and
// `required`.
Result<std::string> Text(const json& answer, const char* name, std::string_view operation,
                         bool required = true) {
  auto it = answer.find(name);
  if (it == answer.end() || it->is_null()) {
    if (required) return Malformed(operation, name);
    return std::string();
  }
  if (!it->is_string()) return Malformed(operation, name);
  return it->get<std::string>();
}

// Time reads a date member (seconds since the epoch, as a number).
Result<std::optional<kms::TimePoint>> Time(const json& answer, const char* name,
                                           std::string_view operation) {
  auto it = answer.find(name);
  if (it == answer.end() || it->is_null()) return std::optional<kms::TimePoint>();
  if (!it->is_number()) return Malformed(operation, name);
  const double seconds = it->get<double>();
  if (!std::isfinite(seconds) || seconds < 0 || seconds > 1e11) return Malformed(operation, name);
  return std::optional<kms::TimePoint>(kms::TimePoint(
      std::chrono::milliseconds(static_cast<int64_t>(std::llround(seconds * 1000)))));
}

Result<std::vector<std::string>> Stages(const json& stages, std::string_view operation) {
  if (!stages.is_array()) return Malformed(operation, "VersionStages");
  std::vector<std::string> out;
  for (const json& s : stages) {
    if (!s.is_string()) return Malformed(operation, "VersionStages");
    out.push_back(s.get<std::string>());
  }
  return out;
}

// TakeValue moves SecretString or SecretBinary (base64) into secret memory
// and wipes the answer's copy.
Result<SecretBytes> TakeValue(json& answer, bool& binary) {
  constexpr std::string_view kOperation = "GetSecretValue";
  auto text = answer.find("SecretString");
  auto blob = answer.find("SecretBinary");
  const bool has_text = text != answer.end() && text->is_string();
  const bool has_blob = blob != answer.end() && blob->is_string();
  if (has_text == has_blob) return Malformed(kOperation, "SecretString or SecretBinary");
  binary = has_blob;
  std::string& s = (has_text ? text : blob)->get_ref<std::string&>();
  Result<SecretBytes> value = tl::unexpected(Error(ErrorCode::internal, ""));
  if (has_text) {
    value = SecretBytes::CopyFrom({reinterpret_cast<const uint8_t*>(s.data()), s.size()});
  } else {
    auto bytes = message::Base64Decode(s);
    if (!bytes) {
      WipeString(s);
      return Malformed(kOperation, "SecretBinary");
    }
    value = SecretBytes::CopyFrom(*bytes);
    SecureZero(*bytes);
  }
  WipeString(s);
  return value;
}

}  // namespace

ErrorCode SecretsManagerErrorCode(std::string_view type, long status) noexcept {
  if (type == "ResourceNotFoundException") return ErrorCode::not_found;
  if (type == "DecryptionFailure") return ErrorCode::auth_failed;
  if (IsThrottlingError(type)) return ErrorCode::limit_exceeded;
  if (status >= 500) return ErrorCode::io;
  return ErrorCode::invalid_argument;
}

Result<std::shared_ptr<SecretsManagerHttpClient>> SecretsManagerHttpClient::Create(
    SecretsManagerClientOptions options) {
  AwsJsonClientOptions o;
  o.label = kLabel;
  o.target_prefix = "secretsmanager.";
  o.service = "secretsmanager";
  o.region = options.region;
  o.endpoint_url = options.endpoint_url.empty() && IsScopeName(options.region)
                       ? EndpointForRegion("secretsmanager", options.region)
                       : options.endpoint_url;
  o.credentials = std::move(options.credentials);
  o.http = std::move(options.http);
  o.retry = options.retry;
  auto json_client = AwsJsonClient::Create(std::move(o), SecretsManagerErrorCode);
  ENVELOPE_RETURN_IF_ERROR(json_client);
  return std::shared_ptr<SecretsManagerHttpClient>(
      new SecretsManagerHttpClient(std::move(*json_client)));
}

Result<SecretValue> SecretsManagerHttpClient::GetSecretValue(std::string_view secret_id,
                                                             std::string_view version_id,
                                                             std::string_view stage) {
  constexpr std::string_view kOperation = "GetSecretValue";
  json body = {{"SecretId", secret_id}};
  if (!version_id.empty()) body["VersionId"] = version_id;
  if (!stage.empty()) body["VersionStage"] = stage;
  auto answer = json_->Call(kOperation, body);
  ENVELOPE_RETURN_IF_ERROR(answer);
  SecretValue v;
  v.binary = false;
  auto value = TakeValue(*answer, v.binary);
  ENVELOPE_RETURN_IF_ERROR(value);
  v.value = std::move(*value);
  ENVELOPE_ASSIGN_OR_RETURN(v.arn, Text(*answer, "ARN", kOperation));
  ENVELOPE_ASSIGN_OR_RETURN(v.name, Text(*answer, "Name", kOperation));
  ENVELOPE_ASSIGN_OR_RETURN(v.version.version_id, Text(*answer, "VersionId", kOperation));
  if (auto it = answer->find("VersionStages"); it != answer->end()) {
    ENVELOPE_ASSIGN_OR_RETURN(v.version.stages, Stages(*it, kOperation));
  }
  ENVELOPE_ASSIGN_OR_RETURN(auto created, Time(*answer, "CreatedDate", kOperation));
  v.version.created = created.value_or(kms::TimePoint{});
  return v;
}

Result<SecretInfo> SecretsManagerHttpClient::DescribeSecret(std::string_view secret_id) {
  constexpr std::string_view kOperation = "DescribeSecret";
  auto answer = json_->Call(kOperation, json{{"SecretId", secret_id}});
  ENVELOPE_RETURN_IF_ERROR(answer);
  const json& a = *answer;
  SecretInfo s;
  ENVELOPE_ASSIGN_OR_RETURN(s.arn, Text(a, "ARN", kOperation));
  ENVELOPE_ASSIGN_OR_RETURN(s.name, Text(a, "Name", kOperation));
  ENVELOPE_ASSIGN_OR_RETURN(s.description, Text(a, "Description", kOperation, false));
  ENVELOPE_ASSIGN_OR_RETURN(s.key_id, Text(a, "KmsKeyId", kOperation, false));
  if (auto it = a.find("RotationEnabled"); it != a.end() && it->is_boolean()) {
    s.rotation_enabled = it->get<bool>();
  }
  if (auto rules = a.find("RotationRules"); rules != a.end() && rules->is_object()) {
    if (auto days = rules->find("AutomaticallyAfterDays");
        days != rules->end() && days->is_number_integer() && days->get<int64_t>() > 0 &&
        days->get<int64_t>() <= 1000) {
      s.rotation_days = static_cast<int>(days->get<int64_t>());
    }
  }
  ENVELOPE_ASSIGN_OR_RETURN(auto created, Time(a, "CreatedDate", kOperation));
  s.created = created.value_or(kms::TimePoint{});
  ENVELOPE_ASSIGN_OR_RETURN(auto changed, Time(a, "LastChangedDate", kOperation));
  s.last_changed = changed.value_or(s.created);
  ENVELOPE_ASSIGN_OR_RETURN(s.last_rotated, Time(a, "LastRotatedDate", kOperation));
  ENVELOPE_ASSIGN_OR_RETURN(s.deletion_date, Time(a, "DeletedDate", kOperation));
  ENVELOPE_ASSIGN_OR_RETURN(s.next_rotation, Time(a, "NextRotationDate", kOperation));
  // The answer gives versions as a map with no dates: they come in the
  // order of their ids, creation dates unknown (zero).
  if (auto versions = a.find("VersionIdsToStages"); versions != a.end()) {
    if (!versions->is_object()) return Malformed(kOperation, "VersionIdsToStages");
    for (const auto& [id, stages] : versions->items()) {
      SecretVersion v;
      v.version_id = id;
      ENVELOPE_ASSIGN_OR_RETURN(v.stages, Stages(stages, kOperation));
      s.versions.push_back(std::move(v));
    }
  }
  return s;
}

}  // namespace envelope::aws

namespace envelope::secrets {

Result<std::shared_ptr<SecretsManagerClient>> NewSecretsManagerClient(const AwsSettings& settings) {
  aws::AwsConfigOverrides overrides{settings.profile, settings.region, settings.endpoint_url,
                                    "AWS_ENDPOINT_URL_SECRETS_MANAGER"};
  auto config = aws::ResolveAwsConfig(overrides, aws::ProcessEnvironment());
  ENVELOPE_RETURN_IF_ERROR(config);
  if (config->region.empty()) {
    return MakeError(ErrorCode::invalid_argument,
                     "aws secretsmanager: no region: give one in the settings or set AWS_REGION");
  }
  aws::SecretsManagerClientOptions options;
  options.region = config->region;
  options.endpoint_url = config->endpoint_url;
  options.credentials = std::make_shared<const aws::Credentials>(std::move(config->credentials));
  options.http.ca_bundle = config->ca_bundle;
  options.http.connect_timeout = settings.connect_timeout;
  options.http.request_timeout = settings.request_timeout;
  options.retry.max_attempts = config->max_attempts;
  auto client = aws::SecretsManagerHttpClient::Create(std::move(options));
  ENVELOPE_RETURN_IF_ERROR(client);
  return std::shared_ptr<SecretsManagerClient>(std::move(*client));
}

}  // namespace envelope::secrets
