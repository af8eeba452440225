// ssm:* and secretsmanager:* authorization through the server: each request
// is decided by the caller's identity policy; a refusal changes nothing;
// every request is one audit line (refusals, reads without decryption,
// DescribeSecret, ListSecrets included), never with a value.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "aws/sigv4_sign.h"
#include "kms/kms_test_util.h"
#include "service/kms_service.h"

namespace envelope::service {
namespace {

using json = nlohmann::json;
using kms::testing::TempDir;

constexpr char kValue[] = "pa55-w0rd-value";

struct Principal {
  std::string access_key_id;
  SecretBytes secret;
};

struct ServiceAuthz {
  ServiceAuthz() {
    auto opened = kms::Kms::Open({.directory = dir.keystore()});
    REQUIRE(opened.has_value());
    keystore.emplace(std::move(*opened));
    // alice reads parameters under /app (and may decrypt them); bob reads
    // secret values but may not decrypt; eve may do anything with secrets
    // but app/db, which she is explicitly denied.
    const std::pair<const char*, const char*> users[] = {
        {"alice", R"({"Version":"2012-10-17","Statement":[
           {"Effect":"Allow","Action":["ssm:GetParameter","ssm:GetParameters"],
            "Resource":"arn:aws:ssm:us-east-1:111122223333:parameter/app/*"},
           {"Effect":"Allow","Action":"kms:Decrypt","Resource":"*"}]})"},
        {"bob", R"({"Version":"2012-10-17","Statement":[
           {"Effect":"Allow","Action":"secretsmanager:GetSecretValue","Resource":"*"}]})"},
        {"eve", R"({"Version":"2012-10-17","Statement":[
           {"Effect":"Allow","Action":["secretsmanager:*","kms:*"],"Resource":"*"},
           {"Effect":"Deny","Action":"secretsmanager:*",
            "Resource":"arn:aws:secretsmanager:us-east-1:111122223333:secret:app/db-*"}]})"}};
    for (const auto& user : users) {
      REQUIRE(keystore->CreateUser(user.first).has_value());
      REQUIRE(keystore->PutUserPolicy(user.first, user.second).has_value());
    }
    for (const char* user : {"", "alice", "bob", "eve"}) {
      auto key = keystore->CreateAccessKey(user);
      REQUIRE(key.has_value());
      principals[user] = Principal{key->info.access_key_id, std::move(key->secret_access_key)};
    }
    service.emplace(*keystore, KmsServiceOptions{});
  }

  // Call signs `body` for `target` ("AmazonSSM.GetParameter") as `user`
  // ("": the root's access key) and returns the status and the answer.
  std::pair<unsigned, json> Call(const std::string& user, const std::string& target,
                                 const json& body) {
    const std::string signed_for = target.starts_with("AmazonSSM.") ? "ssm" : "secretsmanager";
    aws::HttpRequest r;
    r.method = "POST";
    r.path = "/";
    r.headers = {{"Host", "localhost:4443"},
                 {"Content-Type", "application/x-amz-json-1.1"},
                 {"X-Amz-Target", target}};
    r.body = body.dump();
    aws::Credentials credentials;
    credentials.access_key_id = principals[user].access_key_id;
    auto s = principals[user].secret.Clone();
    REQUIRE(s.has_value());
    credentials.secret_access_key = std::move(*s);
    aws::SigningParams params;
    params.region = "us-east-1";
    params.service = signed_for;
    params.time =
        std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
    REQUIRE(aws::SignRequest(r, credentials, params).has_value());
    HttpRequest out;
    out.method = r.method;
    out.target = r.Target();
    for (const auto& h : r.headers) out.headers.push_back({h.name, h.value});
    out.body = r.body;
    out.remote_address = "127.0.0.1";
    out.secure = true;
    HttpResponse response = service->Handle(out);
    return {response.status, json::parse(response.body)};
  }
  json Ok(const std::string& user, const std::string& target, const json& body) {
    auto result = Call(user, target, body);
    const std::string text = result.second.dump();
    INFO(user, " ", target, " ", text);
    CHECK(result.first == 200);
    return result.second;
  }
  // Denied checks that the call is refused with `type` and returns its
  // message.
  std::string Denied(const std::string& user, const std::string& target, const json& body,
                     const std::string& type = "AccessDeniedException") {
    auto result = Call(user, target, body);
    const std::string text = result.second.dump();
    INFO(user, " ", target, " ", text);
    CHECK(result.first == 400);
    CHECK(result.second.value("__type", "") == type);
    return result.second.value("message", "");
  }

  // Lines returns the audit log's records.
  std::vector<json> Lines() {
    std::vector<json> out;
    std::istringstream log(kms::testing::ReadText(dir.keystore() + "/audit.log"));
    for (std::string line; std::getline(log, line);) {
      if (!line.empty()) out.push_back(json::parse(line));
    }
    return out;
  }
  // Since returns the records after the first `n`.
  std::vector<json> Since(size_t n) {
    auto all = Lines();
    return {all.begin() + static_cast<ptrdiff_t>(std::min(n, all.size())), all.end()};
  }

  TempDir dir;
  std::optional<kms::Kms> keystore;
  std::map<std::string, Principal> principals;
  std::optional<KmsService> service;
};

std::string EventName(const json& line) { return line.value("eventName", ""); }

TEST_CASE("SsmApi authorization: a user allowed ssm:GetParameter on /app/* reads only there") {
  ServiceAuthz f;
  f.Ok("", "AmazonSSM.PutParameter",
       {{"Name", "/app/x"}, {"Value", kValue}, {"Type", "SecureString"}});
  f.Ok("", "AmazonSSM.PutParameter", {{"Name", "/other/y"}, {"Value", "v"}, {"Type", "String"}});

  json got =
      f.Ok("alice", "AmazonSSM.GetParameter", {{"Name", "/app/x"}, {"WithDecryption", true}});
  CHECK(got["Parameter"]["Value"] == kValue);
  CHECK(f.Denied("alice", "AmazonSSM.GetParameter", {{"Name", "/other/y"}}) ==
        "User: arn:aws:iam::111122223333:user/alice is not authorized to perform: "
        "ssm:GetParameter on resource: arn:aws:ssm:us-east-1:111122223333:parameter/other/y "
        "because no identity-based policy allows the ssm:GetParameter action");
  // A parameter that does not exist is refused the same way: no oracle.
  f.Denied("alice", "AmazonSSM.GetParameter", {{"Name", "/other/none"}});
  f.Denied("alice", "AmazonSSM.GetParameter", {{"Name", "other"}});
  // A selector names the same parameter.
  CHECK(f.Ok("alice", "AmazonSSM.GetParameter", {{"Name", "/app/x:1"}})["Parameter"]["Version"] ==
        1);

  // A refused write changes nothing and is one audit line with its error.
  const size_t before = f.Lines().size();
  f.Denied("alice", "AmazonSSM.PutParameter",
           {{"Name", "/app/x"}, {"Value", "other"}, {"Type", "SecureString"}, {"Overwrite", true}});
  f.Denied("alice", "AmazonSSM.DeleteParameter", {{"Name", "/app/x"}});
  f.Denied("alice", "AmazonSSM.GetParameterHistory", {{"Name", "/app/x"}});
  f.Denied("alice", "AmazonSSM.LabelParameterVersion",
           {{"Name", "/app/x"}, {"Labels", json::array({"l"})}});
  f.Denied("alice", "AmazonSSM.GetParametersByPath", {{"Path", "/app"}});
  const auto refusals = f.Since(before);
  REQUIRE(refusals.size() == 5);
  for (const json& line : refusals) {
    CHECK(line["eventSource"] == "ssm.amazonaws.com");
    CHECK(line["errorCode"] == "AccessDeniedException");
    CHECK(line["userIdentity"]["userName"] == "alice");
  }
  CHECK(EventName(refusals[0]) == "PutParameter");
  CHECK(refusals[0]["resources"][0]["ARN"] == "arn:aws:ssm:us-east-1:111122223333:parameter/app/x");
  CHECK(refusals[4]["requestParameters"]["path"] == "/app");
  json history = f.Ok("", "AmazonSSM.GetParameterHistory", {{"Name", "/app/x"}});
  CHECK(history["Parameters"].size() == 1);
  CHECK(history["Parameters"][0]["Labels"].empty());
  f.Ok("", "AmazonSSM.GetParameter", {{"Name", "/other/y"}});
  CHECK(kms::testing::ReadText(f.dir.keystore() + "/audit.log").find(kValue) == std::string::npos);
}

TEST_CASE("SsmApi audit: every request is one line; GetParameters one for all its names") {
  ServiceAuthz f;
  for (const char* name : {"/app/a", "/app/b"}) {
    f.Ok("", "AmazonSSM.PutParameter",
         {{"Name", name}, {"Value", kValue}, {"Type", "SecureString"}});
  }
  size_t before = f.Lines().size();
  f.Ok("alice", "AmazonSSM.GetParameter", {{"Name", "/app/a"}});
  auto lines = f.Since(before);
  REQUIRE(lines.size() == 1);
  CHECK(EventName(lines[0]) == "GetParameter");
  CHECK(lines[0]["requestParameters"]["withDecryption"] == "false");
  CHECK(lines[0].contains("errorCode") == false);

  before = f.Lines().size();
  json got = f.Ok("alice", "AmazonSSM.GetParameters",
                  {{"Names", {"/app/a", "/app/b", "/app/none"}}, {"WithDecryption", true}});
  CHECK(got["Parameters"].size() == 2);
  CHECK(got["InvalidParameters"] == json::array({"/app/none"}));
  lines = f.Since(before);
  int requests = 0, decrypts = 0;
  for (const json& line : lines) {
    if (EventName(line) == "GetParameters") {
      ++requests;
      CHECK(line["requestParameters"]["names"] == "/app/a,/app/b,/app/none");
    }
    if (EventName(line) == "Decrypt") ++decrypts;
  }
  CHECK(requests == 1);
  CHECK(decrypts == 2);  // CloudTrail's KMS lines, one per SecureString
  CHECK(lines.size() == 3);

  // One name the caller may not read refuses the request.
  before = f.Lines().size();
  CHECK(f.Denied("alice", "AmazonSSM.GetParameters", {{"Names", {"/app/a", "/other/y"}}})
            .find("ssm:GetParameters on resource: "
                  "arn:aws:ssm:us-east-1:111122223333:parameter/other/y") != std::string::npos);
  lines = f.Since(before);
  REQUIRE(lines.size() == 1);
  CHECK(lines[0]["errorCode"] == "AccessDeniedException");
  // A request refused for its shape is a line too.
  before = f.Lines().size();
  f.Denied("", "AmazonSSM.GetParameter", json::object(), "ValidationException");
  lines = f.Since(before);
  REQUIRE(lines.size() == 1);
  CHECK(lines[0]["eventSource"] == "ssm.amazonaws.com");
  CHECK(lines[0]["errorCode"] == "ValidationException");
}

TEST_CASE("SecretsApi authorization: kms:Decrypt on top; an explicit deny wins; audit") {
  ServiceAuthz f;
  json created =
      f.Ok("", "secretsmanager.CreateSecret", {{"Name", "app/db"}, {"SecretString", kValue}});
  f.Ok("", "secretsmanager.CreateSecret", {{"Name", "app/web"}, {"SecretString", kValue}});

  // bob may call GetSecretValue but not decrypt under the key.
  size_t before = f.Lines().size();
  CHECK(f.Denied("bob", "secretsmanager.GetSecretValue", {{"SecretId", "app/db"}}) ==
        "Access to KMS is not allowed");
  auto lines = f.Since(before);
  REQUIRE(lines.size() == 2);  // the KMS's Decrypt line and the request's
  CHECK(EventName(lines[0]) == "Decrypt");
  CHECK(lines[0]["errorCode"] == "AccessDeniedException");
  CHECK(EventName(lines[1]) == "GetSecretValue");
  CHECK(lines[1]["errorCode"] == "AccessDeniedException");
  CHECK(f.Denied("bob", "secretsmanager.DescribeSecret", {{"SecretId", "app/db"}}) ==
        "User: arn:aws:iam::111122223333:user/bob is not authorized to perform: "
        "secretsmanager:DescribeSecret on resource: " +
            created["ARN"].get<std::string>() +
            " because no identity-based policy allows the secretsmanager:DescribeSecret action");
  CHECK(f.Denied("bob", "secretsmanager.ListSecrets", json::object()) ==
        "User: arn:aws:iam::111122223333:user/bob is not authorized to perform: "
        "secretsmanager:ListSecrets on resource: * because no identity-based policy allows the "
        "secretsmanager:ListSecrets action");
  f.Denied("bob", "secretsmanager.PutSecretValue", {{"SecretId", "app/db"}, {"SecretString", "x"}});
  f.Denied("bob", "secretsmanager.CreateSecret", {{"Name", "bob/new"}, {"SecretString", "x"}});

  // eve may do anything with secrets but app/db: the deny wins, and a
  // refused delete deletes nothing.
  CHECK(f.Ok("eve", "secretsmanager.GetSecretValue", {{"SecretId", "app/web"}})["SecretString"] ==
        kValue);
  CHECK(f.Denied("eve", "secretsmanager.DeleteSecret", {{"SecretId", "app/db"}})
            .ends_with("with an explicit deny in an identity-based policy"));
  f.Denied("eve", "secretsmanager.GetSecretValue", {{"SecretId", created["ARN"]}});
  f.Denied("eve", "secretsmanager.RotateSecret", {{"SecretId", "app/db"}});
  json described = f.Ok("", "secretsmanager.DescribeSecret", {{"SecretId", "app/db"}});
  CHECK_FALSE(described.contains("DeletedDate"));
  CHECK(f.Ok("", "secretsmanager.GetSecretValue", {{"SecretId", "app/db"}})["SecretString"] ==
        kValue);
  // A secret that does not exist: refused for whom it would be, not found
  // for whom it may be.
  f.Denied("bob", "secretsmanager.DescribeSecret", {{"SecretId", "none"}});
  f.Denied("eve", "secretsmanager.DescribeSecret", {{"SecretId", "none"}},
           "ResourceNotFoundException");

  // DescribeSecret and ListSecrets are one line each.
  before = f.Lines().size();
  f.Ok("eve", "secretsmanager.DescribeSecret", {{"SecretId", "app/web"}});
  f.Ok("eve", "secretsmanager.ListSecrets", json::object());
  lines = f.Since(before);
  REQUIRE(lines.size() == 2);
  CHECK(EventName(lines[0]) == "DescribeSecret");
  CHECK(lines[0]["eventSource"] == "secretsmanager.amazonaws.com");
  CHECK(lines[0]["userIdentity"]["userName"] == "eve");
  CHECK(EventName(lines[1]) == "ListSecrets");
  CHECK(kms::testing::ReadText(f.dir.keystore() + "/audit.log").find(kValue) == std::string::npos);
}

}  // namespace
}  // namespace envelope::service
