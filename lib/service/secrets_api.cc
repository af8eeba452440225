#include "service/secrets_api.h"

#include <algorithm>
#include <chrono>

#include "envelope/secrets.hpp"
#include "message/base64.h"
#include "secrets/service_audit.h"
#include "service/api_errors.h"
#include "service/json_request.h"

namespace envelope::service {
namespace {

using secrets::SecretInfo;
using secrets::SecretStore;
using secrets::SecretValue;

// kSecretsErrors are Secrets Manager's exceptions, with their status.
constexpr ApiError kSecretsErrors[] = {
    {"DecryptionFailure", 400},         {"EncryptionFailure", 400},
    {"InternalServiceError", 500},      {"InvalidNextTokenException", 400},
    {"InvalidParameterException", 400}, {"InvalidRequestException", 400},
    {"LimitExceededException", 400},    {"ResourceExistsException", 400},
    {"ResourceNotFoundException", 400},
};

// Mapped turns a library error into Secrets Manager's: its own names pass
// through; a KMS error is `kms_failure` (EncryptionFailure or
// DecryptionFailure) with the KMS's message; I/O is InternalServiceError.
tl::unexpected<Failure> Mapped(const Error& error, std::string_view kms_failure) {
  if (auto own = OwnFailure(kSecretsErrors, error)) return tl::unexpected(std::move(*own));
  // The KMS refused the caller (kms:Decrypt, kms:GenerateDataKey): Secrets
  // Manager says so without naming the key; the KMS's own line has it.
  if (error.message().starts_with("AccessDeniedException")) {
    return Fail("AccessDeniedException", "Access to KMS is not allowed");
  }
  if (error.code() == ErrorCode::io || error.code() == ErrorCode::internal ||
      error.code() == ErrorCode::malformed) {
    return Fail("InternalServiceError", "internal error");
  }
  return Fail(std::string(kms_failure), error.message());
}

double Seconds(kms::TimePoint t) {
  return static_cast<double>(
             std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count()) /
         1000.0;
}

json Describe(const SecretInfo& s, const KmsApiConfig& config, const char* stages_member) {
  json versions = json::object();
  for (const auto& v : s.versions) {
    if (!v.stages.empty()) versions[v.version_id] = v.stages;
  }
  json j = {{"ARN", s.arn},
            {"Name", s.name},
            {"KmsKeyId", "arn:" + config.partition + ":kms:" + config.region + ":" +
                             config.account + ":key/" + s.key_id},
            {"RotationEnabled", s.rotation_enabled},
            {"LastChangedDate", Seconds(s.last_changed)},
            {"CreatedDate", Seconds(s.created)},
            {stages_member, std::move(versions)}};
  if (!s.description.empty()) j["Description"] = s.description;
  if (s.last_rotated) j["LastRotatedDate"] = Seconds(*s.last_rotated);
  if (s.deletion_date) j["DeletedDate"] = Seconds(*s.deletion_date);
  if (s.rotation_days > 0) j["RotationRules"] = {{"AutomaticallyAfterDays", s.rotation_days}};
  if (s.next_rotation) j["NextRotationDate"] = Seconds(*s.next_rotation);
  return j;
}

// Invocation is one operation in progress.
struct Invocation {
  kms::Kms& keystore;
  SecretStore& store;
  const Request& request;
  const KmsApiConfig& config;
  // line is the request's audit line when no store call writes one
  // (DescribeSecret, ListSecrets, refusals): what it named so far.
  kms::ServiceCall line;
  bool audited = false;

  // Authorize asks whether the caller may do `action` on `arn`, named on
  // the request's line.
  Step<void> Authorize(std::string_view action, const std::string& arn) {
    if (arn != "*") {
      line.resource_type = secrets::internal::kSecretResource;
      line.resource_arn = arn;
    }
    return service::Authorize(keystore, action, arn, "InternalServiceError");
  }

  // AuthorizeSecret authorizes `action` on secret `id` (a name or an ARN):
  // on its full ARN ("NAME-AbCdEf") when it exists, else on the ARN the
  // request names (`arn:...:secret:NAME`), so a caller learns whether a
  // secret exists only when allowed to act on it.
  Step<void> AuthorizeSecret(std::string_view action, const std::string& id) {
    line.request["secret_id"] = id;
    auto info = store.Describe(id);
    if (!info && info.error().code() != ErrorCode::not_found) {
      return Fail("InternalServiceError", "internal error");
    }
    return Authorize(action, info ? info->arn : id.starts_with("arn:") ? id : NamedArn(id));
  }

  // NamedArn is the ARN of a secret named `name`, without the suffix only
  // its creation gives it.
  std::string NamedArn(std::string_view name) const {
    return "arn:" + config.partition + ":secretsmanager:" + config.region + ":" + config.account +
           ":secret:" + std::string(name);
  }

  // Audited is the store for a call that writes its own audit line (every
  // write, and GetSecretValue; lib/secrets/service_audit.h), so its failure
  // needs no refusal line of the pipeline's.
  SecretStore& Audited() {
    audited = true;
    return store;
  }
};

// ReadValue reads SecretString or SecretBinary (exactly one).
Step<secrets::NewSecretValue> ReadValue(const Request& r, bool required) {
  auto text = r.String("SecretString", secrets::kMaxSecretValueSize);
  ENVELOPE_RETURN_IF_ERROR(text);
  auto binary = r.Blob("SecretBinary", 1, secrets::kMaxSecretValueSize);
  ENVELOPE_RETURN_IF_ERROR(binary);
  if (*text && *binary) {
    return Fail("InvalidParameterException",
                "You can't specify both a binary secret value and a "
                "string secret value in the same secret.");
  }
  if (!*text && !*binary && required) {
    return Fail("InvalidParameterException",
                "You must provide either SecretString or SecretBinary.");
  }
  auto token = r.String("ClientRequestToken", 64);
  ENVELOPE_RETURN_IF_ERROR(token);
  secrets::NewSecretValue v;
  v.client_request_token = token->value_or("");
  v.binary = binary->has_value();
  Result<SecretBytes> bytes =
      *text ? SecretBytes::CopyFrom(
                  std::span(reinterpret_cast<const uint8_t*>((*text)->data()), (*text)->size()))
      : *binary ? SecretBytes::CopyFrom(**binary)
                : SecretBytes::Allocate(0);
  if (!bytes) return Mapped(bytes.error(), "InternalServiceError");
  v.value = std::move(*bytes);
  return v;
}

Step<void> Refuse(const Request& r, const char* member) {
  if (r.Has(member)) {
    return Fail("InvalidParameterException",
                std::string(member) + " is not supported by this server");
  }
  return {};
}

Step<std::string> SecretId(const Request& r) { return r.RequiredString("SecretId", 2048); }

Step<json> CreateSecret(Invocation& c) {
  const Request& r = c.request;
  for (const char* m : {"Tags", "AddReplicaRegions", "ForceOverwriteReplicaSecret"}) {
    ENVELOPE_RETURN_IF_ERROR(Refuse(r, m));
  }
  auto name = r.RequiredString("Name", 512);
  ENVELOPE_RETURN_IF_ERROR(name);
  c.line.request["name"] = *name;
  ENVELOPE_RETURN_IF_ERROR(c.Authorize("secretsmanager:CreateSecret", c.NamedArn(*name)));
  auto description = r.String("Description", 2048);
  ENVELOPE_RETURN_IF_ERROR(description);
  auto key = r.String("KmsKeyId", 2048);
  ENVELOPE_RETURN_IF_ERROR(key);
  auto value = ReadValue(r, true);
  ENVELOPE_RETURN_IF_ERROR(value);
  std::string key_ref = key->value_or("");
  // A key ARN of this server names its key id; the Kms takes ids and aliases.
  const std::string prefix =
      "arn:" + c.config.partition + ":kms:" + c.config.region + ":" + c.config.account + ":";
  if (key_ref.starts_with(prefix)) {
    key_ref = key_ref.substr(prefix.size());
    if (key_ref.starts_with("key/")) key_ref = key_ref.substr(4);
  }
  auto created = c.Audited().Create(*name, std::move(*value), key_ref, description->value_or(""));
  if (!created) return Mapped(created.error(), "EncryptionFailure");
  return json{
      {"ARN", created->arn}, {"Name", created->name}, {"VersionId", created->version.version_id}};
}

Step<json> GetSecretValue(Invocation& c) {
  auto id = SecretId(c.request);
  ENVELOPE_RETURN_IF_ERROR(id);
  ENVELOPE_RETURN_IF_ERROR(c.AuthorizeSecret("secretsmanager:GetSecretValue", *id));
  auto version = c.request.String("VersionId", 64);
  ENVELOPE_RETURN_IF_ERROR(version);
  auto stage = c.request.String("VersionStage", 256);
  ENVELOPE_RETURN_IF_ERROR(stage);
  auto v = c.Audited().GetValue(*id, version->value_or(""), stage->value_or(""));
  if (!v) return Mapped(v.error(), "DecryptionFailure");
  json j = {{"ARN", v->arn},
            {"Name", v->name},
            {"VersionId", v->version.version_id},
            {"VersionStages", v->version.stages},
            {"CreatedDate", Seconds(v->version.created)}};
  if (v->binary) {
    j["SecretBinary"] = message::Base64Encode(v->value.span());
  } else {
    j["SecretString"] =
        std::string(reinterpret_cast<const char*>(v->value.data()), v->value.size());
  }
  return j;
}

Step<json> PutSecretValue(Invocation& c) {
  auto id = SecretId(c.request);
  ENVELOPE_RETURN_IF_ERROR(id);
  ENVELOPE_RETURN_IF_ERROR(c.AuthorizeSecret("secretsmanager:PutSecretValue", *id));
  auto value = ReadValue(c.request, true);
  ENVELOPE_RETURN_IF_ERROR(value);
  auto stages = c.request.StringList("VersionStages", 20);
  ENVELOPE_RETURN_IF_ERROR(stages);
  auto put = c.Audited().PutValue(*id, std::move(*value), *stages);
  if (!put) return Mapped(put.error(), "EncryptionFailure");
  return json{{"ARN", put->arn},
              {"Name", put->name},
              {"VersionId", put->version.version_id},
              {"VersionStages", put->version.stages}};
}

Step<json> DescribeSecret(Invocation& c) {
  auto id = SecretId(c.request);
  ENVELOPE_RETURN_IF_ERROR(id);
  ENVELOPE_RETURN_IF_ERROR(c.AuthorizeSecret("secretsmanager:DescribeSecret", *id));
  auto info = c.store.Describe(*id);
  if (!info) return Mapped(info.error(), "InternalServiceError");
  return Describe(*info, c.config, "VersionIdsToStages");
}

Step<json> ListSecrets(Invocation& c) {
  const Request& r = c.request;
  ENVELOPE_RETURN_IF_ERROR(Refuse(r, "Filters"));
  auto deleted = r.Boolean("IncludePlannedDeletion");
  ENVELOPE_RETURN_IF_ERROR(deleted);
  c.line.request["include_planned_deletion"] = secrets::internal::Bool(*deleted);
  ENVELOPE_RETURN_IF_ERROR(c.Authorize("secretsmanager:ListSecrets", "*"));
  auto limit = r.Integer("MaxResults", 1, 100);
  ENVELOPE_RETURN_IF_ERROR(limit);
  auto token = r.String("NextToken", 4096);
  ENVELOPE_RETURN_IF_ERROR(token);
  auto all = c.store.List(*deleted);
  if (!all) return Mapped(all.error(), "InternalServiceError");
  size_t start = 0;
  if (*token) {
    const std::string& t = **token;
    const bool digits = t.size() <= 9 && std::all_of(t.begin(), t.end(), [](char ch) {
                          return ch >= '0' && ch <= '9';
                        });
    if (digits) start = std::stoul(t);
    if (!digits || start > all->size()) {
      return Fail("InvalidNextTokenException", "The NextToken value is invalid.");
    }
  }
  const size_t count = std::min(all->size() - start, static_cast<size_t>(limit->value_or(100)));
  json list = json::array();
  for (size_t i = start; i < start + count; ++i) {
    list.push_back(Describe((*all)[i], c.config, "SecretVersionsToStages"));
  }
  json answer = {{"SecretList", std::move(list)}};
  if (start + count < all->size()) answer["NextToken"] = std::to_string(start + count);
  return answer;
}

Step<json> RotateSecret(Invocation& c) {
  const Request& r = c.request;
  if (r.Has("RotationLambdaARN")) {
    return Fail("InvalidParameterException",
                "this server runs only rotation commands configured on its host (envelope "
                "secrets rotate SECRET --command PATH); a request cannot name one");
  }
  auto id = SecretId(r);
  ENVELOPE_RETURN_IF_ERROR(id);
  ENVELOPE_RETURN_IF_ERROR(c.AuthorizeSecret("secretsmanager:RotateSecret", *id));
  auto token = r.String("ClientRequestToken", 64);
  ENVELOPE_RETURN_IF_ERROR(token);
  auto now = r.Has("RotateImmediately") ? r.Boolean("RotateImmediately") : Step<bool>(true);
  ENVELOPE_RETURN_IF_ERROR(now);
  if (r.Has("RotationRules")) {
    auto nested = r.Object("RotationRules");
    ENVELOPE_RETURN_IF_ERROR(nested);
    const Request& rules = *nested;
    if (rules.Has("ScheduleExpression") || rules.Has("Duration")) {
      return Fail("InvalidParameterException",
                  "only RotationRules.AutomaticallyAfterDays is supported");
    }
    auto days = rules.Integer("AutomaticallyAfterDays", 1, 1000);
    ENVELOPE_RETURN_IF_ERROR(days);
    if (auto set = c.Audited().SetRotation(*id, {}, static_cast<int>(days->value_or(0))); !set) {
      return Mapped(set.error(), "InternalServiceError");
    }
  }
  auto info = c.store.Describe(*id);
  if (!info) return Mapped(info.error(), "InternalServiceError");
  if (!*now) return json{{"ARN", info->arn}, {"Name", info->name}};
  auto rotated = c.Audited().Rotate(*id, token->value_or(""));
  if (!rotated) return Mapped(rotated.error(), "InternalServiceError");
  return json{
      {"ARN", rotated->arn}, {"Name", rotated->name}, {"VersionId", rotated->version.version_id}};
}

Step<json> DeleteSecret(Invocation& c) {
  auto id = SecretId(c.request);
  ENVELOPE_RETURN_IF_ERROR(id);
  ENVELOPE_RETURN_IF_ERROR(c.AuthorizeSecret("secretsmanager:DeleteSecret", *id));
  auto days = c.request.Integer("RecoveryWindowInDays", 7, 30);
  ENVELOPE_RETURN_IF_ERROR(days);
  auto force = c.request.Boolean("ForceDeleteWithoutRecovery");
  ENVELOPE_RETURN_IF_ERROR(force);
  if (*force && *days) {
    return Fail("InvalidParameterException",
                "You can't use ForceDeleteWithoutRecovery in "
                "conjunction with RecoveryWindowInDays.");
  }
  auto info = c.Audited().Delete(*id, static_cast<int>(days->value_or(30)), *force);
  if (!info) return Mapped(info.error(), "InternalServiceError");
  return json{{"ARN", info->arn},
              {"Name", info->name},
              {"DeletionDate", Seconds(info->deletion_date.value_or(kms::TimePoint{}))}};
}

Step<json> RestoreSecret(Invocation& c) {
  auto id = SecretId(c.request);
  ENVELOPE_RETURN_IF_ERROR(id);
  ENVELOPE_RETURN_IF_ERROR(c.AuthorizeSecret("secretsmanager:RestoreSecret", *id));
  auto info = c.Audited().Restore(*id);
  if (!info) return Mapped(info.error(), "InternalServiceError");
  return json{{"ARN", info->arn}, {"Name", info->name}};
}

struct Operation {
  std::string_view name;
  Step<json> (*handler)(Invocation&);
};

// kOperations is every Secrets Manager operation this server answers.
constexpr Operation kOperations[] = {
    {"CreateSecret", CreateSecret},     {"DeleteSecret", DeleteSecret},
    {"DescribeSecret", DescribeSecret}, {"GetSecretValue", GetSecretValue},
    {"ListSecrets", ListSecrets},       {"PutSecretValue", PutSecretValue},
    {"RestoreSecret", RestoreSecret},   {"RotateSecret", RotateSecret},
};

KmsApiResult Answer(const Failure& failure, bool reached_kms) {
  return ErrorAnswer(kSecretsErrors, failure, reached_kms);
}

}  // namespace

KmsApiResult SecretsApi::Call(std::string_view operation, std::string_view body) noexcept {
  try {
    const auto* op = std::find_if(std::begin(kOperations), std::end(kOperations),
                                  [&](const Operation& o) { return o.name == operation; });
    if (op == std::end(kOperations)) {
      return Answer({"InvalidAction",
                     "operation " + std::string(operation) + " is not supported by this server"},
                    false);
    }
    const std::optional<Request> request = Request::Parse(body);
    if (!request) {
      return Answer({"SerializationException", "the request body is not a JSON object"}, false);
    }
    auto store = SecretStore::Open(kms_, {config_.partition, config_.region, config_.account});
    if (!store) return Answer({"InternalServiceError", "internal error"}, false);
    Invocation call{kms_, *store, *request, config_};
    call.line = {secrets::internal::kSecretsSource, std::string(op->name), {}, {}, {}};
    Step<json> answer = op->handler(call);
    // Every request is one line: a store call that audits itself (writes,
    // GetSecretValue) wrote it, success or failure; else it is the
    // request's own (DescribeSecret, ListSecrets, refusals), written here.
    if (!call.audited) {
      auto line =
          AuditRequest(kms_, call.line, answer ? nullptr : &answer.error(), "InternalServiceError");
      if (!line) return Answer(line.error(), true);
    }
    if (!answer) return Answer(answer.error(), true);
    return SuccessAnswer(*answer);
  } catch (const std::exception&) {
    return Answer({"InternalServiceError", "internal error"}, false);
  }
}

}  // namespace envelope::service
