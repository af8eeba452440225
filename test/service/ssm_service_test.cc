// The SSM Parameter Store API (AmazonSSM.*) through the same pipeline as
// the KMS API: SigV4 for service "ssm", SSM's shapes and errors, the
// caller in the audit line of every SecureString decryption.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "aws/sigv4_sign.h"
#include "kms/kms_test_util.h"
#include "service/kms_service.h"

namespace envelope::service {
namespace {

using json = nlohmann::json;
using kms::testing::TempDir;

struct SsmFixture {
  SsmFixture() {
    auto opened = kms::Kms::Open({.directory = dir.keystore()});
    REQUIRE(opened.has_value());
    keystore.emplace(std::move(*opened));
    auto key = keystore->CreateAccessKey();
    REQUIRE(key.has_value());
    access_key_id = key->info.access_key_id;
    secret = std::move(key->secret_access_key);
    KmsServiceOptions options;
    options.api = {"aws", "eu-west-1", "123456789012"};
    service.emplace(*keystore, std::move(options));
  }

  // Call signs `body` for `target` as an SDK would (service `signed_for`)
  // and returns the status and the parsed answer.
  std::pair<unsigned, json> Call(const std::string& target, const json& body,
                                 const std::string& signed_for = "ssm") {
    aws::HttpRequest r;
    r.method = "POST";
    r.path = "/";
    r.headers = {{"Host", "localhost:4443"},
                 {"Content-Type", "application/x-amz-json-1.1"},
                 {"X-Amz-Target", target}};
    r.body = body.dump();
    aws::Credentials credentials;
    credentials.access_key_id = access_key_id;
    credentials.secret_access_key = *secret.Clone();
    aws::SigningParams params;
    params.region = "eu-west-1";
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
  json Ok(const std::string& op, const json& body) {
    auto answer = Call("AmazonSSM." + op, body);
    const std::string text = answer.second.dump();
    INFO(text);
    CHECK(answer.first == 200);
    return answer.second;
  }
  std::string Err(const std::string& op, const json& body) {
    auto answer = Call("AmazonSSM." + op, body);
    CHECK(answer.first >= 400);
    return answer.second.value("__type", "");
  }

  TempDir dir;
  std::optional<kms::Kms> keystore;
  std::string access_key_id;
  SecretBytes secret;
  std::optional<KmsService> service;
};

TEST_CASE("SsmApi: put and get a SecureString; the decryption is audited with the caller") {
  SsmFixture f;
  json put =
      f.Ok("PutParameter", {{"Name", "/app/db"}, {"Value", "pa55word"}, {"Type", "SecureString"}});
  CHECK(put["Version"] == 1);
  CHECK(put["Tier"] == "Standard");
  json sealed = f.Ok("GetParameter", {{"Name", "/app/db"}});
  CHECK(sealed["Parameter"]["Value"] != "pa55word");
  json plain = f.Ok("GetParameter", {{"Name", "/app/db"}, {"WithDecryption", true}});
  CHECK(plain["Parameter"]["Value"] == "pa55word");
  CHECK(plain["Parameter"]["ARN"] == "arn:aws:ssm:eu-west-1:123456789012:parameter/app/db");
  CHECK(plain["Parameter"]["LastModifiedDate"].is_number());
  const std::string log = kms::testing::ReadText(f.dir.keystore() + "/audit.log");
  CHECK(log.find("pa55word") == std::string::npos);
  const size_t decrypt = log.rfind("\"eventName\":\"Decrypt\"");
  REQUIRE(decrypt != std::string::npos);
  const size_t line_start = log.rfind('\n', decrypt) + 1;
  const std::string line = log.substr(line_start, log.find('\n', decrypt) - line_start);
  CHECK(line.find(f.access_key_id) != std::string::npos);
  CHECK(line.find("parameter/app/db") != std::string::npos);
  json history = f.Ok("GetParameterHistory", {{"Name", "/app/db"}});
  CHECK(history["Parameters"][0]["LastModifiedUser"] == f.access_key_id);
}

TEST_CASE("SsmApi: a request signed for kms is refused on the ssm target, and the other way") {
  SsmFixture f;
  auto ssm = f.Call("AmazonSSM.GetParameter", {{"Name", "/x"}}, "kms");
  CHECK(ssm.first == 400);
  CHECK(ssm.second["__type"] == "InvalidSignatureException");
  auto kms = f.Call("TrentService.ListKeys", json::object(), "ssm");
  CHECK(kms.first == 400);
  CHECK(kms.second["__type"] == "InvalidSignatureException");
  auto other = f.Call("AmazonSSMX.GetParameter", {{"Name", "/x"}}, "ssm");
  CHECK(other.second["__type"] == "UnknownOperationException");
}

TEST_CASE("SsmApi: SSM's errors and refusals") {
  SsmFixture f;
  CHECK(f.Err("GetParameter", {{"Name", "/missing"}}) == "ParameterNotFound");
  CHECK(f.Err("PutParameter", {{"Name", "/a"}, {"Value", "v"}}) == "ValidationException");
  CHECK(f.Err("PutParameter", {{"Name", "/a"}, {"Value", 7}, {"Type", "String"}}) ==
        "SerializationException");
  CHECK(
      f.Err("PutParameter",
            {{"Name", "/a"}, {"Value", "v"}, {"Type", "SecureString"}, {"KeyId", "alias/none"}}) ==
      "InvalidKeyId");
  CHECK(f.Err("PutParameter",
              {{"Name", "/a"},
               {"Value", "v"},
               {"Type", "SecureString"},
               {"KeyId",
                "arn:aws:kms:us-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"}}) ==
        "InvalidKeyId");
  CHECK(f.Err("PutParameter", {{"Name", "/a"},
                               {"Value", "v"},
                               {"Type", "String"},
                               {"Tags", json::array({{{"Key", "k"}, {"Value", "v"}}})}}) ==
        "ValidationException");
  CHECK(f.Err("PutParameter",
              {{"Name", "/a"}, {"Value", "v"}, {"Type", "String"}, {"Tier", "Advanced"}}) ==
        "ValidationException");
  f.Ok("PutParameter", {{"Name", "/a"}, {"Value", "v"}, {"Type", "String"}});
  CHECK(f.Err("PutParameter", {{"Name", "/a"}, {"Value", "v"}, {"Type", "String"}}) ==
        "ParameterAlreadyExists");
  // An overwrite may leave the type out.
  CHECK(f.Ok("PutParameter", {{"Name", "/a"}, {"Value", "w"}, {"Overwrite", true}})["Version"] ==
        2);
  CHECK(f.Err("GetParameter", {{"Name", "/a:9"}}) == "ParameterVersionNotFound");
  CHECK(f.Err("NoSuchOperation", json::object()) == "InvalidAction");
  CHECK(f.Err("GetParametersByPath", {{"Path", "/"}, {"NextToken", "zz"}}) == "InvalidNextToken");
}

TEST_CASE("SsmApi: GetParameters, paths with paging, labels, delete") {
  SsmFixture f;
  for (int i = 0; i < 12; ++i) {
    f.Ok("PutParameter",
         {{"Name", "/p/n" + std::to_string(100 + i)}, {"Value", "v"}, {"Type", "String"}});
  }
  json some = f.Ok("GetParameters", {{"Names", {"/p/n100", "/p/none"}}});
  CHECK(some["Parameters"].size() == 1);
  CHECK(some["InvalidParameters"] == json::array({"/p/none"}));
  json first = f.Ok("GetParametersByPath", {{"Path", "/p"}});
  CHECK(first["Parameters"].size() == 10);
  REQUIRE(first.contains("NextToken"));
  json rest = f.Ok("GetParametersByPath", {{"Path", "/p"}, {"NextToken", first["NextToken"]}});
  CHECK(rest["Parameters"].size() == 2);
  CHECK_FALSE(rest.contains("NextToken"));
  json labelled =
      f.Ok("LabelParameterVersion", {{"Name", "/p/n100"}, {"Labels", {"prod", "aws-x"}}});
  CHECK(labelled["ParameterVersion"] == 1);
  CHECK(labelled["InvalidLabels"] == json::array({"aws-x"}));
  CHECK(f.Ok("GetParameter", {{"Name", "/p/n100:prod"}})["Parameter"]["Selector"] == ":prod");
  f.Ok("DeleteParameter", {{"Name", "/p/n100"}});
  CHECK(f.Err("DeleteParameter", {{"Name", "/p/n100"}}) == "ParameterNotFound");
}

}  // namespace
}  // namespace envelope::service
