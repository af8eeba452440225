// fuzz target kms_request: the KMS server's request path (lib/service) from
// bytes to answer, against a fresh scratch keystore per input:
//
//   HTTP request bytes -> Beast's parser under the server's limits
//     -> shape check -> SigV4 verification -> AWS JSON shapes -> dispatch
//
// Input: one mode byte, then either
//  - raw (mode bit 0 clear): the rest is an HTTP request, parsed as the
//    server parses it; with mode bit 1 the harness then signs it with the
//    keystore's access key (so verification passes and the JSON and
//    dispatch stages are reached with the fuzzer's target and body);
//  - built (mode bit 0 set): an operation byte picks an operation from the
//    table below (KMS with key policies and grants, SSM Parameter Store,
//    Secrets Manager) and the rest is its JSON body; the harness builds and
//    signs the request for that API's service (mode bit 1 clear: signed
//    with a wrong secret).
// Several requests may follow one another on one keystore (mode bit 2),
// which starts with the harness's access key and one key, alias/fuzz.
// Properties:
//  - Handle never throws (it is noexcept: a throw would abort);
//  - every answer is a JSON object with an x-amzn-RequestId; an error
//    answer names an exception of the AWS error table, with its status, or
//    (SSM and Secrets Manager answers) an error of that API's own table,
//    status 400, or 500 only for InternalServerError / InternalServiceError;
//  - a request the harness did not sign with the right secret never
//    succeeds, and changes nothing: the keystore's keys are the same after;
//  - afterwards the keystore reopens from disk and its audit chain verifies.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "aws/error_shapes.h"
#include "aws/sigv4_sign.h"
#include "envelope/kms.hpp"
#include "fuzz_util.h"
#include "service/http_parse.h"
#include "service/kms_service.h"

namespace {

using namespace envelope;
using nlohmann::json;

// Operation is one operation the server answers: its X-Amz-Target prefix
// and name, and the SigV4 service its requests are signed for (the route
// table of lib/service/kms_service.cc). The first 26 rows keep their places,
// so the seeds' operation bytes keep their meaning.
struct Operation {
  const char* prefix;
  const char* name;
  const char* service;
};
constexpr Operation kOperations[] = {
    {"TrentService.", "CreateKey", "kms"},
    {"TrentService.", "DescribeKey", "kms"},
    {"TrentService.", "ListKeys", "kms"},
    {"TrentService.", "ListAliases", "kms"},
    {"TrentService.", "CreateAlias", "kms"},
    {"TrentService.", "UpdateAlias", "kms"},
    {"TrentService.", "DeleteAlias", "kms"},
    {"TrentService.", "EnableKey", "kms"},
    {"TrentService.", "DisableKey", "kms"},
    {"TrentService.", "ScheduleKeyDeletion", "kms"},
    {"TrentService.", "CancelKeyDeletion", "kms"},
    {"TrentService.", "EnableKeyRotation", "kms"},
    {"TrentService.", "DisableKeyRotation", "kms"},
    {"TrentService.", "GetKeyRotationStatus", "kms"},
    {"TrentService.", "RotateKeyOnDemand", "kms"},
    {"TrentService.", "ListKeyRotations", "kms"},
    {"TrentService.", "Encrypt", "kms"},
    {"TrentService.", "Decrypt", "kms"},
    {"TrentService.", "GenerateDataKey", "kms"},
    {"TrentService.", "GenerateDataKeyWithoutPlaintext", "kms"},
    {"TrentService.", "ReEncrypt", "kms"},
    {"TrentService.", "GenerateRandom", "kms"},
    {"TrentService.", "TagResource", "kms"},
    {"TrentService.", "UntagResource", "kms"},
    {"TrentService.", "ListResourceTags", "kms"},
    {"TrentService.", "CreateGrant", "kms"},
    // Key policies and grants (kms_api_iam.cc).
    {"TrentService.", "GetKeyPolicy", "kms"},
    {"TrentService.", "PutKeyPolicy", "kms"},
    {"TrentService.", "ListKeyPolicies", "kms"},
    {"TrentService.", "ListGrants", "kms"},
    {"TrentService.", "RetireGrant", "kms"},
    {"TrentService.", "RevokeGrant", "kms"},
    // SSM Parameter Store (ssm_api.cc).
    {"AmazonSSM.", "PutParameter", "ssm"},
    {"AmazonSSM.", "GetParameter", "ssm"},
    {"AmazonSSM.", "GetParameters", "ssm"},
    {"AmazonSSM.", "GetParametersByPath", "ssm"},
    {"AmazonSSM.", "GetParameterHistory", "ssm"},
    {"AmazonSSM.", "LabelParameterVersion", "ssm"},
    {"AmazonSSM.", "DeleteParameter", "ssm"},
    // Secrets Manager (secrets_api.cc).
    {"secretsmanager.", "CreateSecret", "secretsmanager"},
    {"secretsmanager.", "GetSecretValue", "secretsmanager"},
    {"secretsmanager.", "PutSecretValue", "secretsmanager"},
    {"secretsmanager.", "DescribeSecret", "secretsmanager"},
    {"secretsmanager.", "ListSecrets", "secretsmanager"},
    {"secretsmanager.", "RotateSecret", "secretsmanager"},
    {"secretsmanager.", "DeleteSecret", "secretsmanager"},
    {"secretsmanager.", "RestoreSecret", "secretsmanager"},
};

// kAlias names a key every input's keystore starts with.
constexpr char kAlias[] = "alias/fuzz";

// ServiceOf returns the SigV4 service of a request by its X-Amz-Target
// (kms when it names none of the routes: verification then fails).
const char* ServiceOf(const service::HttpRequest& request) {
  const std::string* target = request.Header("X-Amz-Target");
  if (target != nullptr) {
    for (const Operation& op : kOperations) {
      if (target->starts_with(op.prefix)) return op.service;
    }
  }
  return "kms";
}

const std::string& ScratchRoot() {
  static const std::string root = [] {
    std::string base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    std::string tmpl = base + "/envelope-fuzz-request-XXXXXX";
    FUZZ_CHECK(mkdtemp(tmpl.data()) != nullptr);
    return tmpl;
  }();
  return root;
}

kms::KmsOptions Options(const std::string& dir) {
  kms::KmsOptions o;
  o.directory = dir;
  o.clock = [] { return kms::TimePoint(std::chrono::seconds(1'750'000'000)); };
  return o;
}

// Sign replaces any signature of `request` with one by `key_id`/`secret`,
// keeping the fuzzer's method, target, headers and body. False when the
// signer refuses the request (no Host, a header name that is no token).
bool Sign(service::HttpRequest& request, const std::string& key_id, const SecretBytes& secret) {
  const char* signing_service = ServiceOf(request);
  aws::HttpRequest r;
  r.method = request.method;
  aws::SplitTarget(request.target, r);
  for (const auto& h : request.headers) r.headers.push_back({h.name, h.value});
  r.body = request.body;
  if (!r.HasHeader("host")) r.headers.push_back({"Host", "localhost"});
  aws::Credentials credentials;
  credentials.access_key_id = key_id;
  auto s = secret.Clone();
  FUZZ_CHECK(s.has_value());
  credentials.secret_access_key = std::move(*s);
  aws::SigningParams params;
  params.region = "us-east-1";
  params.service = signing_service;
  params.time = aws::AmzTime(std::chrono::seconds(1'750'000'000));
  if (!aws::SignRequest(r, credentials, params)) return false;
  request.method = r.method;
  request.target = r.Target();
  request.headers.clear();
  for (const auto& h : r.headers) request.headers.push_back({h.name, h.value});
  return true;
}

void CheckAnswer(const service::HttpResponse& response, bool may_succeed, const char* service) {
  bool has_id = false;
  for (const auto& h : response.headers) has_id = has_id || h.name == "x-amzn-RequestId";
  FUZZ_CHECK(has_id);
  const json body = json::parse(response.body, nullptr, false);
  FUZZ_CHECK(!body.is_discarded() && body.is_object());
  if (response.status == 200) {
    FUZZ_CHECK(may_succeed);
    return;
  }
  FUZZ_CHECK(body.contains("__type") && body["__type"].is_string());
  const std::string type = body["__type"].get<std::string>();
  const aws::AwsErrorShape* shape = aws::FindAwsErrorShape(type);
  if (shape != nullptr) {
    FUZZ_CHECK(static_cast<unsigned>(shape->http_status) == response.status);
    return;
  }
  // Not in the AWS (KMS) table: an SSM or Secrets Manager error, answered
  // after authentication by that API.
  FUZZ_CHECK(may_succeed && std::string_view(service) != "kms");
  const bool internal = type == "InternalServerError" || type == "InternalServiceError";
  FUZZ_CHECK(response.status == (internal ? 500u : 400u));
}

std::vector<std::string> KeyIds(kms::Kms& kms) {
  auto keys = kms.ListKeys();
  FUZZ_CHECK(keys.has_value());
  std::vector<std::string> ids;
  for (const auto& k : *keys)
    ids.push_back(k.key_id + ":" + std::string(kms::KeyStateName(k.state)));
  return ids;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 16 * 1024) return 0;
  fuzz::FuzzInput in(data, size);
  const std::string dir = ScratchRoot() + "/ks";
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  {
    auto opened = kms::Kms::Open(Options(dir));
    FUZZ_CHECK(opened.has_value());
    kms::Kms& kms = *opened;
    auto access = kms.CreateAccessKey();
    FUZZ_CHECK(access.has_value());
    // One key the seeds can name without knowing its (random) id.
    auto key = kms.CreateKey({.description = "fuzz"});
    FUZZ_CHECK(key.has_value());
    FUZZ_CHECK(kms.CreateAlias(kAlias, key->key_id).has_value());
    auto wrong = SecretBytes::CopyFrom(
        {reinterpret_cast<const uint8_t*>("not-the-secret-not-the-secret-not-the-se"), 40});
    FUZZ_CHECK(wrong.has_value());
    service::KmsServiceOptions options;
    options.clock = [] { return kms::TimePoint(std::chrono::seconds(1'750'000'000)); };
    service::KmsService service(kms, options);

    for (int round = 0; round < 4 && in.remaining() > 0; ++round) {
      const uint8_t mode = in.U8();
      const bool last = (mode & 4) == 0 || round == 3;
      const bool built = mode & 1;
      const bool right_secret = mode & 2;
      service::HttpRequest request;
      bool signed_by_us = false;
      if (built) {
        const Operation& op = kOperations[in.U8() % std::size(kOperations)];
        const size_t length = last ? in.remaining() : in.U16() % 2048;
        auto body = in.Bytes(length);
        request.method = "POST";
        request.target = "/";
        request.headers = {{"Content-Type", "application/x-amz-json-1.1"},
                           {"X-Amz-Target", std::string(op.prefix) + op.name}};
        request.body.assign(body.begin(), body.end());
        FUZZ_CHECK(Sign(request, access->info.access_key_id,
                        right_secret ? access->secret_access_key : *wrong));
        signed_by_us = right_secret;
      } else {
        const size_t length = last ? in.remaining() : in.U16() % 4096;
        auto raw = in.Bytes(length);
        auto parsed = service::ParseHttpRequest(
            std::string_view(reinterpret_cast<const char*>(raw.data()), raw.size()), 16 * 1024,
            64 * 1024);
        if (!parsed) {
          const ErrorCode code = parsed.error().code();
          FUZZ_CHECK(code == ErrorCode::malformed || code == ErrorCode::truncated ||
                     code == ErrorCode::limit_exceeded);
          if (last) break;
          continue;
        }
        request = std::move(*parsed);
        if (right_secret)
          signed_by_us = Sign(request, access->info.access_key_id, access->secret_access_key);
      }
      const std::vector<std::string> before = KeyIds(kms);
      const service::HttpResponse response = service.Handle(request);
      CheckAnswer(response, signed_by_us, ServiceOf(request));
      if (!signed_by_us) FUZZ_CHECK(KeyIds(kms) == before);
      if (last) break;
    }
    auto report = kms.VerifyAuditLog();
    FUZZ_CHECK(report.has_value() && report->intact);
  }
  auto reopened = kms::Kms::Open(Options(dir));
  FUZZ_CHECK(reopened.has_value());
  return 0;
}
