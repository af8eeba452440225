// KmsService: the request pipeline with SigV4-signed requests from our own
// signer (the AWS CLI and SDKs sign against the running server in
// test/service/aws_clients.py).
#include "service/kms_service.h"

#include <doctest/doctest.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "aws/sigv4_sign.h"
#include "kms/kms_test_util.h"
#include "message/base64.h"

namespace envelope::service {
namespace {

using json = nlohmann::json;
using kms::testing::FakeClock;
using kms::testing::TempDir;

struct Fixture {
  Fixture() {
    auto opened = kms::Kms::Open(kms::testing::Options(dir.keystore(), clock));
    REQUIRE(opened.has_value());
    keystore.emplace(std::move(*opened));
    auto key = keystore->CreateAccessKey();
    REQUIRE(key.has_value());
    access_key_id = key->info.access_key_id;
    secret = std::move(key->secret_access_key);
    KmsServiceOptions options;
    options.api = {"aws", "eu-west-1", "123456789012"};
    options.clock = [this] { return clock.now(); };
    service.emplace(*keystore, std::move(options));
  }

  // Request builds a signed TrentService request as an SDK would.
  HttpRequest Request(std::string_view operation, const json& body,
                      std::string_view signing_secret = {}, std::string_view key_id = {},
                      std::chrono::seconds skew = std::chrono::seconds(0)) {
    aws::HttpRequest r;
    r.method = "POST";
    r.path = "/";
    r.headers = {{"Host", "localhost:4443"},
                 {"Content-Type", "application/x-amz-json-1.1"},
                 {"X-Amz-Target", "TrentService." + std::string(operation)},
                 {"User-Agent", "aws-cli/test\x01"}};
    r.body = body.dump();
    aws::Credentials credentials;
    credentials.access_key_id = key_id.empty() ? access_key_id : std::string(key_id);
    auto s = signing_secret.empty()
                 ? secret.Clone()
                 : SecretBytes::CopyFrom({reinterpret_cast<const uint8_t*>(signing_secret.data()),
                                          signing_secret.size()});
    REQUIRE(s.has_value());
    credentials.secret_access_key = std::move(*s);
    aws::SigningParams params;
    params.region = "eu-west-1";
    params.service = "kms";
    params.time = std::chrono::time_point_cast<std::chrono::seconds>(clock.now()) + skew;
    REQUIRE(aws::SignRequest(r, credentials, params).has_value());
    HttpRequest out;
    out.method = r.method;
    out.target = r.Target();
    for (const auto& h : r.headers) out.headers.push_back({h.name, h.value});
    out.body = r.body;
    out.remote_address = "127.0.0.1";
    out.secure = true;
    return out;
  }

  json Ok(const HttpRequest& request) {
    HttpResponse response = service->Handle(request);
    INFO(response.body);
    REQUIRE(response.status == 200);
    CHECK(HeaderOf(response, "Content-Type") == "application/x-amz-json-1.1");
    CHECK(HeaderOf(response, "x-amzn-RequestId").size() == 36);
    return json::parse(response.body);
  }
  std::string ErrType(const HttpRequest& request, unsigned status = 400) {
    HttpResponse response = service->Handle(request);
    INFO(response.body);
    CHECK(response.status == status);
    CHECK(HeaderOf(response, "x-amzn-RequestId").size() == 36);
    return json::parse(response.body).value("__type", "");
  }
  static std::string HeaderOf(const HttpResponse& r, std::string_view name) {
    for (const auto& h : r.headers) {
      if (h.name == name) return h.value;
    }
    return "";
  }

  TempDir dir;
  FakeClock clock;
  std::optional<kms::Kms> keystore;
  std::string access_key_id;
  SecretBytes secret;
  std::optional<KmsService> service;
};

TEST_CASE("KmsService: a signed request runs and its audit line names the caller") {
  Fixture f;
  CHECK(f.access_key_id.size() == 20);
  CHECK(f.access_key_id.starts_with("AKIA"));
  CHECK(f.secret.size() == 40);
  json created = f.Ok(f.Request("CreateKey", {{"Description", "via the service"}}));
  const std::string key = created["KeyMetadata"]["KeyId"];
  json ct = f.Ok(f.Request("Encrypt", {{"KeyId", key}, {"Plaintext", "aGVsbG8="}}));
  json pt = f.Ok(f.Request("Decrypt", {{"CiphertextBlob", ct["CiphertextBlob"]}}));
  CHECK(pt["Plaintext"] == "aGVsbG8=");

  const std::string log = kms::testing::ReadText(f.dir.keystore() + "/audit.log");
  CHECK(log.find("\"accessKeyId\":\"" + f.access_key_id + "\"") != std::string::npos);
  CHECK(log.find("\"sourceIPAddress\":\"127.0.0.1\"") != std::string::npos);
  CHECK(log.find("\"userAgent\":\"aws-cli/test?\"") != std::string::npos);
  CHECK(log.find("aGVsbG8=") == std::string::npos);  // never the plaintext

  // One audit line per request, also for operations on an alias or a key.
  REQUIRE(f.keystore->CreateAlias("alias/one-line", key));
  for (const auto& entry : std::vector<std::pair<std::string, json>>{
           {"DisableKey", {{"KeyId", "alias/one-line"}}},
           {"EnableKey", {{"KeyId", key}}},
           {"EnableKeyRotation", {{"KeyId", key}}},
           {"TagResource", {{"KeyId", key}, {"Tags", {{{"TagKey", "a"}, {"TagValue", "b"}}}}}},
           {"UpdateAlias", {{"AliasName", "alias/one-line"}, {"TargetKeyId", key}}},
           {"GetKeyRotationStatus", {{"KeyId", key}}},
           {"ReEncrypt",
            {{"CiphertextBlob", ct["CiphertextBlob"]},
             {"SourceKeyId", "alias/one-line"},
             {"DestinationKeyId", key}}}}) {
    const std::string& operation = entry.first;
    HttpResponse response = f.service->Handle(f.Request(operation, entry.second));
    INFO(operation << " " << response.body);
    REQUIRE(response.status == 200);
    const std::string id = Fixture::HeaderOf(response, "x-amzn-RequestId");
    const std::string all = kms::testing::ReadText(f.dir.keystore() + "/audit.log");
    size_t lines = 0;
    for (size_t at = all.find(id); at != std::string::npos; at = all.find(id, at + 1)) ++lines;
    CHECK(lines == 1);
  }
  CHECK(log.find("hello") == std::string::npos);
  auto report = f.keystore->VerifyAuditLog();
  REQUIRE(report.has_value());
  CHECK(report->intact);
}

TEST_CASE("KmsService: authentication failures get AWS's errors, are audited and change nothing") {
  Fixture f;
  CHECK(f.ErrType(
            f.Request("CreateKey", json::object(), "wrong-secret-wrong-secret-wrong-secret!!")) ==
        "InvalidSignatureException");
  CHECK(f.ErrType(f.Request("CreateKey", json::object(), {}, "AKIAAAAAAAAAAAAAAAAA")) ==
        "UnrecognizedClientException");
  CHECK(f.ErrType(f.Request("CreateKey", json::object(), {}, {}, std::chrono::minutes(6))) ==
        "InvalidSignatureException");
  HttpRequest tampered = f.Request("CreateKey", {{"Description", "a"}});
  tampered.body = json{{"Description", "b"}}.dump();
  CHECK(f.ErrType(tampered) == "InvalidSignatureException");
  HttpRequest unsigned_request = f.Request("CreateKey", json::object());
  std::erase_if(unsigned_request.headers,
                [](const HttpHeader& h) { return h.name == "Authorization"; });
  CHECK(f.ErrType(unsigned_request, 403) == "MissingAuthenticationTokenException");
  HttpRequest no_target = f.Request("CreateKey", json::object());
  std::erase_if(no_target.headers, [](const HttpHeader& h) { return h.name == "X-Amz-Target"; });
  CHECK(f.ErrType(no_target) == "UnknownOperationException");

  REQUIRE(f.keystore->SetAccessKeyActive(f.access_key_id, false));
  CHECK(f.ErrType(f.Request("CreateKey", json::object())) == "UnrecognizedClientException");
  REQUIRE(f.keystore->SetAccessKeyActive(f.access_key_id, true));

  auto keys = f.keystore->ListKeys();
  REQUIRE(keys.has_value());
  CHECK(keys->empty());
  const std::string log = kms::testing::ReadText(f.dir.keystore() + "/audit.log");
  CHECK(log.find("InvalidSignatureException") != std::string::npos);
  CHECK(log.find("UnrecognizedClientException") != std::string::npos);
  CHECK(log.find("UnknownOperationException") != std::string::npos);
  auto report = f.keystore->VerifyAuditLog();
  REQUIRE(report.has_value());
  CHECK(report->intact);
}

TEST_CASE("KmsService: requests refused on their shape are audited once") {
  Fixture f;
  CHECK(f.ErrType(f.Request("Encrypt", json::object())) == "ValidationException");
  CHECK(f.ErrType(f.Request("Sign", json::object())) == "UnsupportedOperationException");
  const std::string log = kms::testing::ReadText(f.dir.keystore() + "/audit.log");
  CHECK(log.find("ValidationException") != std::string::npos);
  CHECK(log.find("\"eventName\":\"Sign\"") != std::string::npos);
}

TEST_CASE("Kms: access keys are kept encrypted, listed, deactivated and deleted") {
  Fixture f;
  auto second = f.keystore->CreateAccessKey();
  REQUIRE(second.has_value());
  auto listed = f.keystore->ListAccessKeys();
  REQUIRE(listed.has_value());
  CHECK(listed->size() == 2);
  // The secret survives a reopen and is nowhere in the clear on disk.
  const std::string secret_text(reinterpret_cast<const char*>(second->secret_access_key.data()),
                                second->secret_access_key.size());
  auto reopened = kms::Kms::Open(kms::testing::Options(f.dir.keystore(), f.clock));
  REQUIRE(reopened.has_value());
  auto secret = reopened->AccessKeySecret(second->info.access_key_id);
  REQUIRE(secret.has_value());
  CHECK(secret->Equals(second->secret_access_key));
  for (const char* file : {"/keystore.kms", "/audit.log"}) {
    CHECK(kms::testing::ReadText(f.dir.keystore() + file).find(secret_text) == std::string::npos);
  }
  REQUIRE(reopened->DeleteAccessKey(second->info.access_key_id));
  auto gone = f.keystore->AccessKeySecret(second->info.access_key_id);
  REQUIRE_FALSE(gone.has_value());
  CHECK(gone.error().code() == ErrorCode::not_found);
  CHECK(f.keystore->DeleteAccessKey("AKIA-not-a-key").error().code() == ErrorCode::not_found);
}

// Answered collects what HandleAsync's respond receives, from any thread.
struct Answered {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<HttpResponse> responses;
  std::vector<bool> logged;  // the request id was in the audit log at that moment

  bool WaitFor(size_t n) {
    std::unique_lock<std::mutex> lock(mu);
    return cv.wait_for(lock, std::chrono::seconds(30), [&] { return responses.size() >= n; });
  }
};

Respond Recorder(Answered& answered, const std::string& log_path) {
  return [&answered, log_path](HttpResponse response) {
    const std::string id = Fixture::HeaderOf(response, "x-amzn-RequestId");
    const bool logged = kms::testing::ReadText(log_path).find(id) != std::string::npos;
    std::lock_guard<std::mutex> lock(answered.mu);
    answered.responses.push_back(std::move(response));
    answered.logged.push_back(logged);
    answered.cv.notify_all();
  };
}

TEST_CASE("KmsService: HandleAsync answers once the request's audit line is in the log") {
  Fixture f;
  json created = f.Ok(f.Request("CreateKey", json::object()));
  const std::string key = created["KeyMetadata"]["KeyId"];
  const std::string log_path = f.dir.keystore() + "/audit.log";
  Answered answered;
  constexpr int kThreads = 4;
  constexpr int kCalls = 10;
  std::vector<HttpRequest> requests;
  for (int i = 0; i < kThreads * kCalls; ++i) {
    requests.push_back(f.Request("GenerateDataKey", {{"KeyId", key}, {"KeySpec", "AES_256"}}));
  }
  requests.push_back(f.Request("GenerateDataKey", {{"KeyId", key}}, "wrong-secret"));
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kCalls; ++i) {
        f.service->HandleAsync(requests[static_cast<size_t>(t * kCalls + i)],
                               Recorder(answered, log_path));
      }
    });
  }
  for (auto& th : threads) th.join();
  f.service->HandleAsync(requests.back(), Recorder(answered, log_path));
  REQUIRE(answered.WaitFor(requests.size()));
  std::lock_guard<std::mutex> lock(answered.mu);
  int ok = 0;
  int refused = 0;
  for (size_t i = 0; i < answered.responses.size(); ++i) {
    const HttpResponse& response = answered.responses[i];
    INFO(response.body);
    CHECK(answered.logged[i]);
    if (response.status == 200) {
      CHECK(json::parse(response.body).contains("Plaintext"));
      ++ok;
    } else {
      CHECK(json::parse(response.body).value("__type", "") == "InvalidSignatureException");
      ++refused;
    }
  }
  CHECK(ok == kThreads * kCalls);
  CHECK(refused == 1);
  auto report = f.keystore->VerifyAuditLog();
  REQUIRE(report);
  CHECK(report->intact);
}

TEST_CASE("KmsService: HandleAsync withholds an answer whose audit line cannot be written") {
  Fixture f;
  json created = f.Ok(f.Request("CreateKey", json::object()));
  const std::string key = created["KeyMetadata"]["KeyId"];
  kms::testing::UnwritableAuditLog unwritable(f.dir.keystore());
  Answered answered;
  f.service->HandleAsync(f.Request("GenerateDataKey", {{"KeyId", key}, {"KeySpec", "AES_256"}}),
                         Recorder(answered, "/dev/null"));
  REQUIRE(answered.WaitFor(1));
  {
    std::lock_guard<std::mutex> lock(answered.mu);
    const HttpResponse& response = answered.responses[0];
    INFO(response.body);
    CHECK(response.status == 500);
    CHECK(Fixture::HeaderOf(response, "x-amzn-RequestId").size() == 36);
    const json body = json::parse(response.body);
    CHECK(body.value("__type", "") == "KMSInternalException");
    CHECK_FALSE(body.contains("Plaintext"));
    CHECK(response.body.find("Plaintext") == std::string::npos);
  }
  unwritable.Restore();
}

}  // namespace
}  // namespace envelope::service
