// The audit lines of parameter and secret operations on the local path (a
// process that opened the keystore itself: the owner's root, "invokedBy":
// "envelope"): every write and every decryption, successful or not, in
// CloudTrail's shape with SSM's and Secrets Manager's event sources, in the
// KMS's hash-chained log, never with a value.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "envelope/secrets.hpp"
#include "kms/kms_test_util.h"

namespace envelope::secrets {
namespace {

using json = nlohmann::json;
using kms::testing::TempDir;

SecretBytes Bytes(std::string_view text) {
  return *SecretBytes::CopyFrom(kms::testing::Bytes(text));
}

// ServiceLines returns the lines of the log whose eventSource is not KMS.
std::vector<json> ServiceLines(const std::string& keystore) {
  std::istringstream log(kms::testing::ReadText(keystore + "/audit.log"));
  std::vector<json> out;
  for (std::string line; std::getline(log, line);) {
    json j = json::parse(line);
    if (j["eventSource"] != "kms.amazonaws.com") out.push_back(std::move(j));
  }
  return out;
}

std::vector<std::string> Names(const std::vector<json>& lines) {
  std::vector<std::string> out;
  for (const json& j : lines) out.push_back(j["eventName"].get<std::string>());
  return out;
}

TEST_CASE("ParameterStore: every write and every decryption is an audit line") {
  TempDir dir;
  auto k = kms::Kms::Open({.directory = dir.keystore()});
  REQUIRE(k);
  auto store = ParameterStore::Open(*k, {"aws", "eu-west-1", "123456789012"});
  REQUIRE(store);
  REQUIRE(store->Put({.name = "/app/db",
                      .type = ParameterType::secure_string,
                      .value = Bytes("v4lue-one"),
                      .modified_by = "local"}));
  REQUIRE(store->Get("/app/db", false));  // no decryption: no line
  REQUIRE(store->Get("/app/db", true));
  REQUIRE(store->GetByPath("/app", true, true));
  REQUIRE(store->History("/app/db", true));
  REQUIRE(store->Label("/app/db", 1, {"prod"}));
  REQUIRE(store->Delete("/app/db"));
  CHECK_FALSE(store->Delete("/app/db"));

  const auto lines = ServiceLines(dir.keystore());
  REQUIRE(Names(lines) == std::vector<std::string>{"PutParameter", "GetParameter",
                                                   "GetParametersByPath", "GetParameterHistory",
                                                   "LabelParameterVersion", "DeleteParameter",
                                                   "DeleteParameter"});
  for (const json& j : lines) {
    INFO(j.dump());
    CHECK(j["eventSource"] == "ssm.amazonaws.com");
    CHECK(j["awsRegion"] == "us-east-1");  // the Kms's own scope
    CHECK(j["userIdentity"]["type"] == "Root");
    CHECK(j["userIdentity"]["invokedBy"] == "envelope");
    CHECK(j["eventType"] == "AwsApiCall");
  }
  const json& put = lines[0];
  CHECK(put["requestParameters"] ==
        json{{"name", "/app/db"}, {"type", "SecureString"}, {"overwrite", "false"}});
  CHECK(put["resources"][0]["type"] == "AWS::SSM::Parameter");
  CHECK(put["resources"][0]["ARN"] == "arn:aws:ssm:eu-west-1:123456789012:parameter/app/db");
  CHECK(put["readOnly"] == false);
  CHECK(lines[1]["readOnly"] == true);
  CHECK(lines[1]["requestParameters"]["withDecryption"] == "true");
  CHECK_FALSE(lines[5].contains("errorCode"));
  CHECK(lines[6]["errorCode"] == "ParameterNotFound");

  const std::string log = kms::testing::ReadText(dir.keystore() + "/audit.log");
  CHECK(log.find("v4lue-one") == std::string::npos);
  auto report = k->VerifyAuditLog();
  REQUIRE(report);
  CHECK(report->intact);
}

TEST_CASE("SecretStore: every write and every read of a value is an audit line") {
  TempDir dir;
  auto k = kms::Kms::Open({.directory = dir.keystore()});
  REQUIRE(k);
  auto store = SecretStore::Open(*k);
  REQUIRE(store);
  auto created = store->Create("app/db", {Bytes("s3cret-one"), false, {}});
  REQUIRE(created);
  REQUIRE(store->GetValue("app/db"));
  REQUIRE(store->PutValue("app/db", {Bytes("s3cret-two"), false, {}}));
  REQUIRE(store->Describe("app/db"));  // metadata only: no line
  REQUIRE(store->List());
  REQUIRE(store->Delete("app/db", 7));
  CHECK_FALSE(store->GetValue("app/db"));  // deleted: refused, and audited
  REQUIRE(store->Restore("app/db"));
  CHECK_FALSE(store->Create("app/db", {Bytes("s3cret-three"), false, {}}));

  const auto lines = ServiceLines(dir.keystore());
  REQUIRE(Names(lines) == std::vector<std::string>{
                              "CreateSecret", "GetSecretValue", "PutSecretValue", "DeleteSecret",
                              "GetSecretValue", "RestoreSecret", "CreateSecret"});
  for (const json& j : lines) {
    INFO(j.dump());
    CHECK(j["eventSource"] == "secretsmanager.amazonaws.com");
    CHECK(j["userIdentity"]["type"] == "Root");
  }
  CHECK(lines[0]["resources"][0]["type"] == "AWS::SecretsManager::Secret");
  CHECK(lines[0]["resources"][0]["ARN"] == created->arn);
  CHECK(lines[1]["requestParameters"] == json{{"secretId", "app/db"}});
  CHECK(lines[3]["requestParameters"]["recoveryWindowInDays"] == "7");
  CHECK(lines[4]["errorCode"] == "InvalidRequestException");
  CHECK(lines[6]["errorCode"] == "ResourceExistsException");

  const std::string log = kms::testing::ReadText(dir.keystore() + "/audit.log");
  for (const char* value : {"s3cret-one", "s3cret-two", "s3cret-three"}) {
    CHECK(log.find(value) == std::string::npos);
  }
}

}  // namespace
}  // namespace envelope::secrets
