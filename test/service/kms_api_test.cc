// KmsApi: AWS KMS's JSON request and response shapes over a scratch keystore.
#include "service/kms_api.h"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

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
    api.emplace(*keystore, KmsApiConfig{"aws", "eu-west-1", "123456789012"});
  }
  // Ok calls `operation` and requires success.
  json Ok(std::string_view operation, const json& body) {
    KmsApiResult r = api->Call(operation, body.dump());
    INFO(operation << " " << r.body);
    REQUIRE(r.http_status == 200);
    REQUIRE(r.error_type.empty());
    return json::parse(r.body);
  }
  // Err calls `operation` and requires the AWS error `type`.
  KmsApiResult Err(std::string_view operation, std::string_view body, std::string_view type) {
    KmsApiResult r = api->Call(operation, body);
    INFO(operation << " " << r.body);
    CHECK(r.http_status >= 400);
    CHECK(r.error_type == type);
    json parsed = json::parse(r.body);
    CHECK(parsed["__type"] == type);
    CHECK(parsed["message"].is_string());
    return r;
  }
  std::string NewKey() { return Ok("CreateKey", json::object())["KeyMetadata"]["KeyId"]; }

  TempDir dir;
  FakeClock clock;
  std::optional<kms::Kms> keystore;
  std::optional<KmsApi> api;
};

std::string B64(std::string_view text) {
  return message::Base64Encode({reinterpret_cast<const uint8_t*>(text.data()), text.size()});
}

TEST_CASE("KmsApi: CreateKey and DescribeKey answer AWS's KeyMetadata") {
  Fixture f;
  json created = f.Ok("CreateKey", {{"Description", "app key"},
                                    {"Tags", {{{"TagKey", "team"}, {"TagValue", "web"}}}}});
  const json& m = created["KeyMetadata"];
  const std::string id = m["KeyId"];
  CHECK(m["Arn"] == "arn:aws:kms:eu-west-1:123456789012:key/" + id);
  CHECK(m["AWSAccountId"] == "123456789012");
  CHECK(m["Description"] == "app key");
  CHECK(m["KeyState"] == "Enabled");
  CHECK(m["Enabled"] == true);
  CHECK(m["KeySpec"] == "SYMMETRIC_DEFAULT");
  CHECK(m["KeyUsage"] == "ENCRYPT_DECRYPT");
  CHECK(m["EncryptionAlgorithms"] == json::array({"SYMMETRIC_DEFAULT"}));
  CHECK(m["CreationDate"].is_number());
  CHECK(m["CreationDate"].get<double>() == doctest::Approx(1735689600.0));

  for (const std::string& ref : {id, "arn:aws:kms:eu-west-1:123456789012:key/" + id}) {
    CHECK(f.Ok("DescribeKey", {{"KeyId", ref}})["KeyMetadata"]["KeyId"] == id);
  }
  f.Ok("CreateAlias", {{"AliasName", "alias/app"}, {"TargetKeyId", id}});
  for (const std::string ref : {"alias/app", "arn:aws:kms:eu-west-1:123456789012:alias/app"}) {
    KmsApiResult r = f.api->Call("DescribeKey", json{{"KeyId", ref}}.dump());
    CHECK(r.http_status == 200);
    CHECK(r.key_arn == "arn:aws:kms:eu-west-1:123456789012:key/" + id);
  }
  // Another account's or region's ARN names no key here.
  f.Err("DescribeKey", json{{"KeyId", "arn:aws:kms:eu-west-1:999999999999:key/" + id}}.dump(),
        "NotFoundException");
  f.Err("DescribeKey", json{{"KeyId", "arn:aws:kms:us-east-1:123456789012:key/" + id}}.dump(),
        "NotFoundException");
  f.Err("DescribeKey", R"({"KeyId": "1234abcd-12ab-34cd-56ef-1234567890ab"})", "NotFoundException");
  f.Err("DescribeKey", "{}", "ValidationException");
}

TEST_CASE("KmsApi: CreateKey refuses what this server cannot honour") {
  Fixture f;
  f.Err("CreateKey", R"({"KeySpec": "RSA_2048"})", "UnsupportedOperationException");
  f.Err("CreateKey", R"({"KeyUsage": "SIGN_VERIFY"})", "UnsupportedOperationException");
  f.Err("CreateKey", R"({"Origin": "EXTERNAL"})", "UnsupportedOperationException");
  f.Err("CreateKey", R"({"Policy": "{\"Version\":\"2012-10-17\"}"})",
        "MalformedPolicyDocumentException");
  f.Err("CreateKey", R"({"Description": 5})", "SerializationException");
  f.Err("CreateKey", R"({"Tags": [{"TagKey": "a"}]})", "SerializationException");
  auto keys = f.keystore->ListKeys();
  REQUIRE(keys.has_value());
  CHECK(keys->empty());
}

TEST_CASE("KmsApi: Encrypt, Decrypt and ReEncrypt with a context") {
  Fixture f;
  const std::string a = f.NewKey();
  const std::string b = f.NewKey();
  json ct =
      f.Ok("Encrypt",
           {{"KeyId", a}, {"Plaintext", B64("secret")}, {"EncryptionContext", {{"dept", "A"}}}});
  CHECK(ct["KeyId"] == f.api->KeyArn(a));
  CHECK(ct["EncryptionAlgorithm"] == "SYMMETRIC_DEFAULT");
  const std::string blob = ct["CiphertextBlob"];

  json pt = f.Ok("Decrypt", {{"CiphertextBlob", blob}, {"EncryptionContext", {{"dept", "A"}}}});
  CHECK(pt["Plaintext"] == B64("secret"));
  CHECK(pt["KeyId"] == f.api->KeyArn(a));
  f.Err("Decrypt", json{{"CiphertextBlob", blob}, {"EncryptionContext", {{"dept", "B"}}}}.dump(),
        "InvalidCiphertextException");
  f.Err("Decrypt", json{{"CiphertextBlob", blob}}.dump(), "InvalidCiphertextException");
  f.Err("Decrypt",
        json{{"CiphertextBlob", blob}, {"EncryptionContext", {{"dept", "A"}}}, {"KeyId", b}}.dump(),
        "IncorrectKeyException");
  f.Err("Decrypt", R"({"CiphertextBlob": "not base64!"})", "SerializationException");
  f.Err("Decrypt",
        json{{"CiphertextBlob", blob}, {"EncryptionAlgorithm", "RSAES_OAEP_SHA_256"}}.dump(),
        "InvalidKeyUsageException");

  json re = f.Ok("ReEncrypt", {{"CiphertextBlob", blob},
                               {"SourceEncryptionContext", {{"dept", "A"}}},
                               {"DestinationKeyId", b},
                               {"DestinationEncryptionContext", {{"dept", "B"}}}});
  CHECK(re["SourceKeyId"] == f.api->KeyArn(a));
  CHECK(re["KeyId"] == f.api->KeyArn(b));
  json back = f.Ok("Decrypt", {{"CiphertextBlob", re["CiphertextBlob"]},
                               {"EncryptionContext", {{"dept", "B"}}}});
  CHECK(back["Plaintext"] == B64("secret"));
  f.Err("ReEncrypt",
        json{{"CiphertextBlob", blob},
             {"SourceEncryptionContext", {{"dept", "A"}}},
             {"DestinationKeyId", b},
             {"SourceKeyId", b}}
            .dump(),
        "IncorrectKeyException");

  f.Err("Encrypt", json{{"KeyId", a}, {"Plaintext", B64(std::string(4097, 'x'))}}.dump(),
        "ValidationException");
  f.Err("Encrypt", json{{"KeyId", a}}.dump(), "ValidationException");
  f.Err("Encrypt",
        json{{"KeyId", a}, {"Plaintext", B64("x")}, {"EncryptionContext", {{"k", 1}}}}.dump(),
        "SerializationException");
}

TEST_CASE("KmsApi: GenerateDataKey by KeySpec or NumberOfBytes") {
  Fixture f;
  const std::string key = f.NewKey();
  for (const auto& [body, size] :
       std::vector<std::pair<json, size_t>>{{{{"KeyId", key}, {"KeySpec", "AES_256"}}, 32},
                                            {{{"KeyId", key}, {"KeySpec", "AES_128"}}, 16},
                                            {{{"KeyId", key}, {"NumberOfBytes", 64}}, 64},
                                            {{{"KeyId", key}, {"NumberOfBytes", 1}}, 1}}) {
    const size_t expected = size;
    json dk = f.Ok("GenerateDataKey", body);
    auto plaintext = message::Base64Decode(dk["Plaintext"].get<std::string>());
    REQUIRE(plaintext.has_value());
    CHECK(plaintext->size() == expected);
    json opened = f.Ok("Decrypt", {{"CiphertextBlob", dk["CiphertextBlob"]}});
    CHECK(opened["Plaintext"] == dk["Plaintext"]);
    json without = f.Ok("GenerateDataKeyWithoutPlaintext", body);
    CHECK_FALSE(without.contains("Plaintext"));
    auto inner = message::Base64Decode(
        f.Ok("Decrypt", {{"CiphertextBlob", without["CiphertextBlob"]}})["Plaintext"]
            .get<std::string>());
    REQUIRE(inner.has_value());
    CHECK(inner->size() == expected);
  }
  f.Err("GenerateDataKey", json{{"KeyId", key}}.dump(), "ValidationException");
  f.Err("GenerateDataKey",
        json{{"KeyId", key}, {"KeySpec", "AES_256"}, {"NumberOfBytes", 32}}.dump(),
        "ValidationException");
  f.Err("GenerateDataKey", json{{"KeyId", key}, {"NumberOfBytes", 1025}}.dump(),
        "ValidationException");
  f.Err("GenerateDataKey", json{{"KeyId", key}, {"NumberOfBytes", 0}}.dump(),
        "ValidationException");
  f.Err("GenerateDataKey", json{{"KeyId", key}, {"KeySpec", "AES_512"}}.dump(),
        "ValidationException");
  auto random = message::Base64Decode(
      f.Ok("GenerateRandom", {{"NumberOfBytes", 24}})["Plaintext"].get<std::string>());
  REQUIRE(random.has_value());
  CHECK(random->size() == 24);
  f.Err("GenerateRandom", "{}", "ValidationException");
}

TEST_CASE("KmsApi: key states, rotation and deletion") {
  Fixture f;
  const std::string key = f.NewKey();
  f.Ok("DisableKey", {{"KeyId", key}});
  f.Err("Encrypt", json{{"KeyId", key}, {"Plaintext", B64("x")}}.dump(), "DisabledException");
  CHECK(f.Ok("DescribeKey", {{"KeyId", key}})["KeyMetadata"]["KeyState"] == "Disabled");
  f.Ok("EnableKey", {{"KeyId", key}});

  f.Ok("EnableKeyRotation", {{"KeyId", key}, {"RotationPeriodInDays", 90}});
  json status = f.Ok("GetKeyRotationStatus", {{"KeyId", key}});
  CHECK(status["KeyRotationEnabled"] == true);
  CHECK(status["RotationPeriodInDays"] == 90);
  CHECK(status["NextRotationDate"].is_number());
  f.Err("EnableKeyRotation", json{{"KeyId", key}, {"RotationPeriodInDays", 89}}.dump(),
        "ValidationException");
  CHECK(f.Ok("RotateKeyOnDemand", {{"KeyId", key}})["KeyId"] == f.api->KeyArn(key));
  json rotations = f.Ok("ListKeyRotations", {{"KeyId", key}});
  REQUIRE(rotations["Rotations"].size() == 1);
  CHECK(rotations["Rotations"][0]["RotationType"] == "ON_DEMAND");
  f.Ok("DisableKeyRotation", {{"KeyId", key}});
  CHECK(f.Ok("GetKeyRotationStatus", {{"KeyId", key}})["KeyRotationEnabled"] == false);

  json scheduled = f.Ok("ScheduleKeyDeletion", {{"KeyId", key}, {"PendingWindowInDays", 7}});
  CHECK(scheduled["KeyState"] == "PendingDeletion");
  CHECK(scheduled["PendingWindowInDays"] == 7);
  f.Err("Encrypt", json{{"KeyId", key}, {"Plaintext", B64("x")}}.dump(),
        "KMSInvalidStateException");
  f.Err("ScheduleKeyDeletion", json{{"KeyId", key}, {"PendingWindowInDays", 6}}.dump(),
        "ValidationException");
  f.Ok("CancelKeyDeletion", {{"KeyId", key}});
  CHECK(f.Ok("DescribeKey", {{"KeyId", key}})["KeyMetadata"]["KeyState"] == "Disabled");
}

TEST_CASE("KmsApi: ListKeys and ListAliases page with Limit and Marker") {
  Fixture f;
  std::vector<std::string> made;
  for (int i = 0; i < 5; ++i) made.push_back(f.NewKey());
  std::vector<std::string> seen;
  json page = f.Ok("ListKeys", {{"Limit", 2}});
  int pages = 1;
  for (;;) {
    for (const json& k : page["Keys"]) {
      seen.push_back(k["KeyId"]);
      CHECK(k["KeyArn"] == f.api->KeyArn(k["KeyId"].get<std::string>()));
    }
    if (!page["Truncated"].get<bool>()) break;
    page = f.Ok("ListKeys", {{"Limit", 2}, {"Marker", page["NextMarker"]}});
    ++pages;
  }
  CHECK(pages == 3);
  // Every key once (the fake clock gives them one creation time, so their
  // order among themselves is the keystore's).
  std::sort(seen.begin(), seen.end());
  std::vector<std::string> expected = made;
  std::sort(expected.begin(), expected.end());
  CHECK(seen == expected);
  f.Err("ListKeys", R"({"Marker": "nonsense"})", "InvalidMarkerException");
  f.Err("ListKeys", R"({"Marker": "99"})", "InvalidMarkerException");
  f.Err("ListKeys", R"({"Limit": 0})", "ValidationException");
  f.Err("ListKeys", R"({"Limit": 1001})", "ValidationException");
  f.Err("ListKeys", R"({"Limit": "2"})", "SerializationException");

  f.Ok("CreateAlias", {{"AliasName", "alias/one"}, {"TargetKeyId", made[0]}});
  f.Ok("CreateAlias", {{"AliasName", "alias/two"}, {"TargetKeyId", made[1]}});
  f.Err("CreateAlias", json{{"AliasName", "alias/one"}, {"TargetKeyId", made[1]}}.dump(),
        "AlreadyExistsException");
  json of_first = f.Ok("ListAliases", {{"KeyId", made[0]}});
  REQUIRE(of_first["Aliases"].size() == 1);
  CHECK(of_first["Aliases"][0]["AliasName"] == "alias/one");
  CHECK(of_first["Aliases"][0]["AliasArn"] == "arn:aws:kms:eu-west-1:123456789012:alias/one");
  CHECK(of_first["Aliases"][0]["TargetKeyId"] == made[0]);
  f.Ok("UpdateAlias", {{"AliasName", "alias/one"}, {"TargetKeyId", made[2]}});
  CHECK(f.Ok("DescribeKey", {{"KeyId", "alias/one"}})["KeyMetadata"]["KeyId"] == made[2]);
  f.Ok("DeleteAlias", {{"AliasName", "alias/one"}});
  f.Err("DescribeKey", R"({"KeyId": "alias/one"})", "NotFoundException");
}

TEST_CASE("KmsApi: TagResource, UntagResource and ListResourceTags") {
  Fixture f;
  const std::string key = f.NewKey();
  f.Ok("TagResource",
       {{"KeyId", key},
        {"Tags",
         {{{"TagKey", "team"}, {"TagValue", "web"}}, {{"TagKey", "env"}, {"TagValue", "prod"}}}}});
  json tags = f.Ok("ListResourceTags", {{"KeyId", key}});
  REQUIRE(tags["Tags"].size() == 2);
  CHECK(tags["Tags"][0] == json{{"TagKey", "env"}, {"TagValue", "prod"}});
  CHECK(tags["Truncated"] == false);
  json first = f.Ok("ListResourceTags", {{"KeyId", key}, {"Limit", 1}});
  CHECK(first["Tags"].size() == 1);
  CHECK(first["Truncated"] == true);
  f.Ok("UntagResource", {{"KeyId", key}, {"TagKeys", {"env", "absent"}}});
  tags = f.Ok("ListResourceTags", {{"KeyId", key}});
  REQUIRE(tags["Tags"].size() == 1);
  CHECK(tags["Tags"][0]["TagKey"] == "team");
  CHECK(f.Ok("DescribeKey", {{"KeyId", key}})["KeyMetadata"].contains("KeyId"));

  json many = json::array();
  for (int i = 0; i < 50; ++i)
    many.push_back({{"TagKey", "k" + std::to_string(i)}, {"TagValue", "v"}});
  f.Err("TagResource", json{{"KeyId", key}, {"Tags", many}}.dump(), "TagException");
  CHECK(f.Ok("ListResourceTags", {{"KeyId", key}})["Tags"].size() == 1);  // unchanged
  f.Err("TagResource", json{{"KeyId", key}, {"Tags", {{{"TagKey", ""}, {"TagValue", "v"}}}}}.dump(),
        "TagException");
  f.Err("UntagResource", json{{"KeyId", key}, {"TagKeys", "env"}}.dump(), "SerializationException");
}

TEST_CASE("KmsApi: unknown operations and bodies that are not JSON objects") {
  Fixture f;
  f.Err("Sign", "{}", "UnsupportedOperationException");
  f.Err("DescribeKey", "not json", "SerializationException");
  f.Err("DescribeKey", "[1, 2]", "SerializationException");
  f.Err("DescribeKey", "{\"KeyId\": \"\xff\"}", "SerializationException");
  // An empty body is an empty object: the missing member is the error.
  f.Err("DescribeKey", "", "ValidationException");
  CHECK(f.Ok("ListKeys", json::object())["Keys"].empty());
}

}  // namespace
}  // namespace envelope::service
