// fuzz target secrets_api: the SSM Parameter Store and Secrets Manager JSON
// APIs of the server (lib/service ssm_api.h, secrets_api.h) over lib/secrets,
// against a fresh scratch keystore per input. (kms_request covers the HTTP
// and SigV4 stages in front of them.)
//
// Input: a sequence of requests, each an operation byte (an SSM or a
// Secrets Manager operation from the table below) and a body: a length
// byte, then that many raw bytes (often not JSON, not UTF-8). Properties:
//  - Call never throws (it is noexcept: a throw would abort);
//  - every answer is a JSON object; an error names its `__type`, with
//    status 400, or 500 only for InternalServerError / InternalServiceError;
//  - afterwards the parameters and secrets files read back (every
//    parameter by path, every secret listed and described) and the audit
//    chain verifies.
#include "service/secrets_api.h"

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "envelope/kms.hpp"
#include "envelope/secrets.hpp"
#include "fuzz_util.h"
#include "service/ssm_api.h"

namespace {

using namespace envelope;
using nlohmann::json;

constexpr const char* kSsm[] = {
    "PutParameter",        "GetParameter",          "GetParameters",  "GetParametersByPath",
    "GetParameterHistory", "LabelParameterVersion", "DeleteParameter"};
constexpr const char* kSecrets[] = {"CreateSecret",   "GetSecretValue", "PutSecretValue",
                                    "DescribeSecret", "ListSecrets",    "RotateSecret",
                                    "DeleteSecret",   "RestoreSecret"};

const std::string& ScratchRoot() {
  static const std::string root = [] {
    std::string base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    std::string tmpl = base + "/envelope-fuzz-secrets-XXXXXX";
    FUZZ_CHECK(mkdtemp(tmpl.data()) != nullptr);
    return tmpl;
  }();
  return root;
}

void CheckAnswer(const service::KmsApiResult& r) {
  const json body = json::parse(r.body, nullptr, false);
  FUZZ_CHECK(!body.is_discarded() && body.is_object());
  if (r.http_status == 200) return;
  FUZZ_CHECK(body.contains("__type") && body["__type"].is_string());
  const std::string type = body["__type"].get<std::string>();
  FUZZ_CHECK(type == r.error_type && !type.empty());
  const bool internal = type == "InternalServerError" || type == "InternalServiceError";
  FUZZ_CHECK(r.http_status == (internal ? 500 : 400));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 8 * 1024) return 0;
  fuzz::FuzzInput in(data, size);
  const std::string dir = ScratchRoot() + "/ks";
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  {
    kms::KmsOptions options;
    options.directory = dir;
    auto opened = kms::Kms::Open(options);
    FUZZ_CHECK(opened.has_value());
    kms::Kms& kms = *opened;
    service::SsmApi ssm(kms, {});
    service::SecretsApi secrets(kms, {});
    for (int n = 0; n < 12 && in.remaining() > 0; ++n) {
      const uint8_t op = in.U8();
      auto bytes = in.Bytes(in.U8());
      const std::string body(bytes.begin(), bytes.end());
      if (op & 0x80) {
        CheckAnswer(secrets.Call(kSecrets[op % std::size(kSecrets)], body));
      } else {
        CheckAnswer(ssm.Call(kSsm[op % std::size(kSsm)], body, "AKIAFUZZFUZZFUZZFUZZ"));
      }
    }
    auto params = secrets::ParameterStore::Open(kms);
    FUZZ_CHECK(params.has_value());
    FUZZ_CHECK(params->GetByPath("/", true, true).has_value() ||
               params->GetByPath("/", true, false).has_value());
    auto store = secrets::SecretStore::Open(kms);
    FUZZ_CHECK(store.has_value());
    auto all = store->List(true);
    FUZZ_CHECK(all.has_value());
    for (const auto& s : *all) FUZZ_CHECK(store->Describe(s.arn).has_value());
    auto audit = kms.VerifyAuditLog();
    FUZZ_CHECK(audit.has_value() && audit->intact);
  }
  std::filesystem::remove_all(dir, ec);
  return 0;
}
