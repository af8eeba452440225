#include "service/ssm_api.h"

#include <algorithm>
#include <chrono>

#include "aws/arn.h"
#include "envelope/secrets.hpp"
#include "secrets/service_audit.h"
#include "service/api_errors.h"
#include "service/json_request.h"

namespace envelope::service {
namespace {

using secrets::Parameter;
using secrets::ParameterStore;

// kSsmErrors are the SSM exceptions lib/secrets names, with their status.
constexpr ApiError kSsmErrors[] = {
    {"HierarchyLevelLimitExceededException", 400},
    {"InternalServerError", 500},
    {"InvalidKeyId", 400},
    {"InvalidNextToken", 400},
    {"ParameterAlreadyExists", 400},
    {"ParameterMaxVersionLimitExceeded", 400},
    {"ParameterNotFound", 400},
    {"ParameterVersionLabelLimitExceeded", 400},
    {"ParameterVersionNotFound", 400},
    {"ValidationException", 400},
};

// SsmFailure maps a library error: SSM's own names pass through; the KMS's
// NotFoundException (the key is gone) is SSM's InvalidKeyId; other KMS
// errors keep their KMS names; I/O and internal errors are
// InternalServerError.
tl::unexpected<Failure> SsmFailure(const Error& error) {
  if (auto own = OwnFailure(kSsmErrors, error)) return tl::unexpected(std::move(*own));
  if (error.code() == ErrorCode::io || error.code() == ErrorCode::internal ||
      error.code() == ErrorCode::malformed) {
    return Fail("InternalServerError", "internal error");
  }
  aws::AwsError e = aws::ToAwsError(error);
  if (e.type == "NotFoundException") return Fail("InvalidKeyId", e.message);
  return Fail(e.type, e.message);
}

double Seconds(kms::TimePoint t) {
  return static_cast<double>(
             std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count()) /
         1000.0;
}

std::string Text(const SecretBytes& bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

json ParameterJson(const Parameter& p) {
  json j = {{"Name", p.name},
            {"Type", std::string(secrets::ParameterTypeName(p.type))},
            {"Value", Text(p.value)},
            {"Version", p.version},
            {"LastModifiedDate", Seconds(p.last_modified)},
            {"ARN", p.arn},
            {"DataType", "text"}};
  if (!p.selector.empty()) j["Selector"] = p.selector;
  return j;
}

json HistoryJson(const Parameter& p, const KmsApiConfig& config) {
  json j = {{"Name", p.name},
            {"Type", std::string(secrets::ParameterTypeName(p.type))},
            {"Value", Text(p.value)},
            {"Version", p.version},
            {"LastModifiedDate", Seconds(p.last_modified)},
            {"LastModifiedUser", p.modified_by},
            {"Labels", p.labels},
            {"Tier", "Standard"},
            {"Policies", json::array()},
            {"DataType", "text"}};
  if (!p.description.empty()) j["Description"] = p.description;
  if (!p.key_id.empty()) {
    j["KeyId"] = "arn:" + config.partition + ":kms:" + config.region + ":" + config.account +
                 ":key/" + p.key_id;
  }
  return j;
}

// Invocation is one operation in progress.
struct Invocation {
  kms::Kms& keystore;
  ParameterStore& store;
  const Request& request;
  const KmsApiConfig& config;
  std::string caller;
  // line is the request's audit line when no store call writes one
  // (reads without decryption, refusals): what it named so far.
  kms::ServiceCall line;
  bool audited = false;

  // Authorize names parameter `name` (a selector ":3" dropped) on the
  // request's line and asks whether the caller may do `action` on it.
  Step<void> Authorize(std::string_view action, std::string_view name) {
    const std::string arn = store.Arn(name.substr(0, name.find(':')));
    line.resource_type = secrets::internal::kParameterResource;
    line.resource_arn = arn;
    line.request["name"] = std::string(name);
    return service::Authorize(keystore, action, arn, "InternalServerError");
  }

  // Audited is the store for a call that writes its own audit line
  // (`writes`: every write, and a read that decrypts; service_audit.h), so
  // its failure needs no refusal line of the pipeline's.
  ParameterStore& Audited(bool writes = true) {
    audited = audited || writes;
    return store;
  }
};

// Paged answers a list with MaxResults/NextToken; the token is the decimal
// index of the next item.
Step<json> Paged(const Request& r, std::vector<json> items, const char* member, int64_t max) {
  auto limit = r.Integer("MaxResults", 1, max);
  ENVELOPE_RETURN_IF_ERROR(limit);
  auto token = r.String("NextToken", 1024);
  ENVELOPE_RETURN_IF_ERROR(token);
  size_t start = 0;
  if (*token) {
    const std::string& t = **token;
    const bool digits = t.size() <= 9 && std::all_of(t.begin(), t.end(),
                                                     [](char c) { return c >= '0' && c <= '9'; });
    if (digits) start = std::stoul(t);
    if (!digits || start > items.size()) {
      return Fail("InvalidNextToken", "The specified token is not valid.");
    }
  }
  const size_t count = std::min(items.size() - start, static_cast<size_t>(limit->value_or(max)));
  json answer = {
      {member, json(std::vector<json>(items.begin() + static_cast<ptrdiff_t>(start),
                                      items.begin() + static_cast<ptrdiff_t>(start + count)))}};
  if (start + count < items.size()) answer["NextToken"] = std::to_string(start + count);
  return answer;
}

// Refuse answers ValidationException for a member this server does not do.
Step<void> Refuse(const Request& r, const char* member) {
  if (r.Has(member))
    return Fail("ValidationException", std::string(member) + " is not supported by this server");
  return {};
}

// ResolveKey turns a KeyId (key id, key ARN, alias name or alias ARN) into
// what the Kms takes; a key of another account or region is InvalidKeyId.
Step<std::string> ResolveKey(const std::string& key_id, const KmsApiConfig& config) {
  auto ref = aws::ClassifyKeyId(key_id);
  if (!ref) return Fail("InvalidKeyId", "Invalid keyId " + key_id);
  if (ref->arn && (ref->arn->partition != config.partition || ref->arn->region != config.region ||
                   ref->arn->account != config.account)) {
    return Fail("InvalidKeyId", "Key '" + key_id + "' does not exist");
  }
  return ref->name;
}

Step<json> PutParameter(Invocation& c) {
  const Request& r = c.request;
  for (const char* member : {"AllowedPattern", "Tags", "Policies"}) {
    ENVELOPE_RETURN_IF_ERROR(Refuse(r, member));
  }
  auto name = r.RequiredString("Name", 2048);
  ENVELOPE_RETURN_IF_ERROR(name);
  ENVELOPE_RETURN_IF_ERROR(c.Authorize("ssm:PutParameter", *name));
  auto value = r.RequiredString("Value", 65536);
  ENVELOPE_RETURN_IF_ERROR(value);
  auto type = r.String("Type", 32);
  ENVELOPE_RETURN_IF_ERROR(type);
  auto tier = r.String("Tier", 32);
  ENVELOPE_RETURN_IF_ERROR(tier);
  if (*tier && **tier != "Standard") {
    return Fail("ValidationException", "only the Standard tier is supported by this server");
  }
  auto data_type = r.String("DataType", 128);
  ENVELOPE_RETURN_IF_ERROR(data_type);
  if (*data_type && **data_type != "text") {
    return Fail("ValidationException", "only DataType text is supported by this server");
  }
  auto key = r.String("KeyId", 256);
  ENVELOPE_RETURN_IF_ERROR(key);
  auto overwrite = r.Boolean("Overwrite");
  ENVELOPE_RETURN_IF_ERROR(overwrite);
  auto description = r.String("Description", secrets::kMaxDescriptionSize);
  ENVELOPE_RETURN_IF_ERROR(description);

  secrets::PutParameterRequest put;
  put.name = *name;
  if (*type) {
    auto parsed = secrets::ParseParameterType(**type);
    if (!parsed) return SsmFailure(parsed.error());
    put.type = *parsed;
  } else {
    // As in SSM, an overwrite may leave the type out; a new parameter may not.
    auto existing = c.store.Get(*name, false);
    if (!existing) {
      return Fail("ValidationException",
                  "A parameter type is required when you create a parameter.");
    }
    put.type = existing->type;
  }
  if (*key) {
    auto resolved = ResolveKey(**key, c.config);
    ENVELOPE_RETURN_IF_ERROR(resolved);
    put.key = *resolved;
  }
  auto bytes = SecretBytes::CopyFrom(
      std::span(reinterpret_cast<const uint8_t*>(value->data()), value->size()));
  if (!bytes) return SsmFailure(bytes.error());
  put.value = std::move(*bytes);
  put.overwrite = *overwrite;
  put.description = description->value_or("");
  put.modified_by = c.caller;
  auto version = c.Audited().Put(put);
  if (!version) return SsmFailure(version.error());
  return json{{"Version", *version}, {"Tier", "Standard"}};
}

Step<json> GetParameter(Invocation& c) {
  auto name = c.request.RequiredString("Name", 2048);
  ENVELOPE_RETURN_IF_ERROR(name);
  auto decrypt = c.request.Boolean("WithDecryption");
  ENVELOPE_RETURN_IF_ERROR(decrypt);
  c.line.request["with_decryption"] = secrets::internal::Bool(*decrypt);
  ENVELOPE_RETURN_IF_ERROR(c.Authorize("ssm:GetParameter", *name));
  auto p = c.Audited(*decrypt).Get(*name, *decrypt);
  if (!p) return SsmFailure(p.error());
  return json{{"Parameter", ParameterJson(*p)}};
}

Step<json> GetParameters(Invocation& c) {
  auto names = c.request.StringList("Names", 10);
  ENVELOPE_RETURN_IF_ERROR(names);
  if (names->empty())
    return Invalid("Names", "null", "Member must have length greater than or equal to 1");
  auto decrypt = c.request.Boolean("WithDecryption");
  ENVELOPE_RETURN_IF_ERROR(decrypt);
  // One line for the request, naming every parameter (names have no ",").
  std::string listed;
  for (const std::string& name : *names) listed += (listed.empty() ? "" : ",") + name;
  c.line.request["names"] = listed;
  c.line.request["with_decryption"] = secrets::internal::Bool(*decrypt);
  // As in SSM, one parameter the caller may not read refuses the request.
  for (const std::string& name : *names) {
    ENVELOPE_RETURN_IF_ERROR(service::Authorize(c.keystore, "ssm:GetParameters",
                                                c.store.Arn(name.substr(0, name.find(':'))),
                                                "InternalServerError"));
  }
  auto got = c.Audited(*decrypt).GetMany(*names, *decrypt);
  if (!got) return SsmFailure(got.error());
  json found = json::array();
  for (const Parameter& p : got->found) found.push_back(ParameterJson(p));
  return json{{"Parameters", std::move(found)}, {"InvalidParameters", got->invalid}};
}

Step<json> GetParametersByPath(Invocation& c) {
  const Request& r = c.request;
  ENVELOPE_RETURN_IF_ERROR(Refuse(r, "ParameterFilters"));
  auto path = r.RequiredString("Path", 2048);
  ENVELOPE_RETURN_IF_ERROR(path);
  auto recursive = r.Boolean("Recursive");
  ENVELOPE_RETURN_IF_ERROR(recursive);
  auto decrypt = r.Boolean("WithDecryption");
  ENVELOPE_RETURN_IF_ERROR(decrypt);
  // The path's ARN is the resource: a caller allowed a path reads below it.
  c.line.request["path"] = *path;
  c.line.request["recursive"] = secrets::internal::Bool(*recursive);
  c.line.request["with_decryption"] = secrets::internal::Bool(*decrypt);
  const std::string base =
      path->size() > 1 && path->ends_with('/') ? path->substr(0, path->size() - 1) : *path;
  c.line.resource_type = secrets::internal::kParameterResource;
  c.line.resource_arn = c.store.Arn(base);
  ENVELOPE_RETURN_IF_ERROR(service::Authorize(c.keystore, "ssm:GetParametersByPath",
                                              c.line.resource_arn, "InternalServerError"));
  auto ps = c.Audited(*decrypt).GetByPath(*path, *recursive, *decrypt);
  if (!ps) return SsmFailure(ps.error());
  std::vector<json> items;
  for (const Parameter& p : *ps) items.push_back(ParameterJson(p));
  return Paged(r, std::move(items), "Parameters", 10);
}

Step<json> GetParameterHistory(Invocation& c) {
  auto name = c.request.RequiredString("Name", 2048);
  ENVELOPE_RETURN_IF_ERROR(name);
  auto decrypt = c.request.Boolean("WithDecryption");
  ENVELOPE_RETURN_IF_ERROR(decrypt);
  c.line.request["with_decryption"] = secrets::internal::Bool(*decrypt);
  ENVELOPE_RETURN_IF_ERROR(c.Authorize("ssm:GetParameterHistory", *name));
  auto ps = c.Audited(*decrypt).History(*name, *decrypt);
  if (!ps) return SsmFailure(ps.error());
  std::vector<json> items;
  for (const Parameter& p : *ps) items.push_back(HistoryJson(p, c.config));
  return Paged(c.request, std::move(items), "Parameters", 50);
}

Step<json> LabelParameterVersion(Invocation& c) {
  auto name = c.request.RequiredString("Name", 2048);
  ENVELOPE_RETURN_IF_ERROR(name);
  ENVELOPE_RETURN_IF_ERROR(c.Authorize("ssm:LabelParameterVersion", *name));
  auto version = c.request.Integer("ParameterVersion", 1, INT64_MAX);
  ENVELOPE_RETURN_IF_ERROR(version);
  auto labels = c.request.StringList("Labels", secrets::kMaxLabelsPerVersion);
  ENVELOPE_RETURN_IF_ERROR(labels);
  auto done = c.Audited().Label(*name, version->value_or(0), *labels);
  if (!done) return SsmFailure(done.error());
  return json{{"InvalidLabels", done->invalid_labels}, {"ParameterVersion", done->version}};
}

Step<json> DeleteParameter(Invocation& c) {
  auto name = c.request.RequiredString("Name", 2048);
  ENVELOPE_RETURN_IF_ERROR(name);
  ENVELOPE_RETURN_IF_ERROR(c.Authorize("ssm:DeleteParameter", *name));
  if (auto done = c.Audited().Delete(*name); !done) return SsmFailure(done.error());
  return json::object();
}

struct Operation {
  std::string_view name;
  Step<json> (*handler)(Invocation&);
};

// kOperations is every SSM operation this server answers.
constexpr Operation kOperations[] = {
    {"DeleteParameter", DeleteParameter},
    {"GetParameter", GetParameter},
    {"GetParameterHistory", GetParameterHistory},
    {"GetParameters", GetParameters},
    {"GetParametersByPath", GetParametersByPath},
    {"LabelParameterVersion", LabelParameterVersion},
    {"PutParameter", PutParameter},
};

KmsApiResult Answer(const Failure& failure, bool reached_kms) {
  return ErrorAnswer(kSsmErrors, failure, reached_kms);
}

}  // namespace

KmsApiResult SsmApi::Call(std::string_view operation, std::string_view body,
                          std::string_view caller) noexcept {
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
    auto store = ParameterStore::Open(kms_, {config_.partition, config_.region, config_.account});
    if (!store) return Answer(SsmFailure(store.error()).value(), false);
    Invocation call{kms_, *store, *request, config_, std::string(caller)};
    call.line = {secrets::internal::kSsmSource, std::string(op->name), {}, {}, {}};
    Step<json> answer = op->handler(call);
    // Every request is one line: a store call that audits itself (writes,
    // reads that decrypt) wrote it, success or failure; else it is the
    // request's own (reads, refusals), written here.
    if (!call.audited) {
      auto line =
          AuditRequest(kms_, call.line, answer ? nullptr : &answer.error(), "InternalServerError");
      if (!line) return Answer(line.error(), true);
    }
    if (!answer) return Answer(answer.error(), true);
    return SuccessAnswer(*answer);
  } catch (const std::exception&) {
    return Answer({"InternalServerError", "internal error"}, false);
  }
}

}  // namespace envelope::service
