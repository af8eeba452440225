// Authorization through the server: two users and two accounts, key
// policies with encryption-context conditions, a grant and its revocation,
// a cross-account call, aws:SecureTransport, and the audit trail of it all.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "aws/sigv4_sign.h"
#include "kms/kms_test_util.h"
#include "message/base64.h"
#include "service/kms_service.h"

namespace envelope::service {
namespace {

using json = nlohmann::json;
using kms::testing::FakeClock;
using kms::testing::TempDir;

struct Principal {
  std::string access_key_id;
  SecretBytes secret;
};

struct Authz {
  Authz() {
    auto opened = kms::Kms::Open(kms::testing::Options(dir.keystore(), clock));
    REQUIRE(opened.has_value());
    keystore.emplace(std::move(*opened));
    REQUIRE(keystore->CreateUser("alice").has_value());
    REQUIRE(keystore->CreateUser("bob").has_value());
    REQUIRE(keystore->CreateUser("carol", "444455556666").has_value());
    for (const char* user : {"", "alice", "bob", "carol"}) {
      auto key = keystore->CreateAccessKey(user);
      REQUIRE(key.has_value());
      principals[user] = Principal{key->info.access_key_id, std::move(key->secret_access_key)};
    }
    auto key = keystore->CreateKey();
    REQUIRE(key.has_value());
    key_id = key->key_id;
    key_arn = "arn:aws:kms:us-east-1:111122223333:key/" + key_id;
    KmsServiceOptions options;
    options.clock = [this] { return clock.now(); };
    service.emplace(*keystore, std::move(options));
  }

  HttpResponse Call(const std::string& user, std::string_view operation, const json& body,
                    bool secure = true) {
    aws::HttpRequest r;
    r.method = "POST";
    r.path = "/";
    r.headers = {{"Host", "localhost:4443"},
                 {"Content-Type", "application/x-amz-json-1.1"},
                 {"X-Amz-Target", "TrentService." + std::string(operation)}};
    r.body = body.dump();
    aws::Credentials credentials;
    credentials.access_key_id = principals[user].access_key_id;
    auto s = principals[user].secret.Clone();
    REQUIRE(s.has_value());
    credentials.secret_access_key = std::move(*s);
    aws::SigningParams params;
    params.region = "us-east-1";
    params.service = "kms";
    params.time = std::chrono::time_point_cast<std::chrono::seconds>(clock.now());
    REQUIRE(aws::SignRequest(r, credentials, params).has_value());
    HttpRequest out;
    out.method = r.method;
    out.target = r.Target();
    for (const auto& h : r.headers) out.headers.push_back({h.name, h.value});
    out.body = r.body;
    out.remote_address = "127.0.0.1";
    out.secure = secure;
    return service->Handle(out);
  }
  json Ok(const std::string& user, std::string_view operation, const json& body) {
    HttpResponse response = Call(user, operation, body);
    INFO(user, " ", operation, " ", response.body);
    REQUIRE(response.status == 200);
    return json::parse(response.body);
  }
  json Err(const std::string& user, std::string_view operation, const json& body,
           bool secure = true) {
    HttpResponse response = Call(user, operation, body, secure);
    INFO(user, " ", operation, " ", response.body);
    REQUIRE(response.status == 400);
    return json::parse(response.body);
  }

  TempDir dir;
  FakeClock clock;
  std::optional<kms::Kms> keystore;
  std::map<std::string, Principal> principals;
  std::string key_id;
  std::string key_arn;
  std::optional<KmsService> service;
};

// kPolicy: the root may do everything; alice may Encrypt and GenerateDataKey
// with dept=A only; account 444455556666 may Encrypt (its users need their
// own identity policy too); nobody may use the key over plain HTTP.
constexpr char kPolicy[] = R"({"Version": "2012-10-17", "Statement": [
  {"Sid": "Root", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"},
  {"Sid": "AliceDeptA", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:user/alice"},
   "Action": ["kms:Encrypt", "kms:GenerateDataKey"], "Resource": "*",
   "Condition": {"StringEquals": {"kms:EncryptionContext:dept": "A"}}},
  {"Sid": "OtherAccount", "Effect": "Allow", "Principal": {"AWS": "444455556666"}, "Action": "kms:Encrypt", "Resource": "*"},
  {"Sid": "TlsOnly", "Effect": "Deny", "Principal": "*", "Action": "kms:*", "Resource": "*",
   "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]})";

std::string Denial(const std::string& who, const std::string& action, const std::string& arn,
                   const std::string& why) {
  return "User: " + who + " is not authorized to perform: " + action + " on resource: " + arn +
         " " + why;
}

}  // namespace

TEST_CASE("KmsService: key policies, grants and accounts decide each request") {
  Authz f;
  const std::string plaintext = message::Base64Encode(std::vector<uint8_t>{'h', 'i'});
  // The default policy: the root may, users of the account may not (no
  // identity policy), and the refusal is AWS's.
  f.Ok("", "Encrypt", {{"KeyId", f.key_id}, {"Plaintext", plaintext}});
  json refused = f.Err("alice", "Encrypt", {{"KeyId", f.key_id}, {"Plaintext", plaintext}});
  CHECK(refused["__type"] == "AccessDeniedException");
  CHECK(refused["message"] ==
        Denial("arn:aws:iam::111122223333:user/alice", "kms:Encrypt", f.key_arn,
               "because no identity-based policy allows the kms:Encrypt action"));
  json policy = f.Ok("", "GetKeyPolicy", {{"KeyId", f.key_id}, {"PolicyName", "default"}});
  CHECK(policy["PolicyName"] == "default");
  CHECK(json::parse(policy["Policy"].get<std::string>())["Statement"][0]["Principal"]["AWS"] ==
        "arn:aws:iam::111122223333:root");
  CHECK(f.Ok("", "ListKeyPolicies", {{"KeyId", f.key_id}})["PolicyNames"] ==
        json::array({"default"}));

  // Only the root may change the policy; a policy that would lock the
  // account out is refused unless the check is bypassed.
  CHECK(f.Err("alice", "PutKeyPolicy",
              {{"KeyId", f.key_id}, {"PolicyName", "default"}, {"Policy", kPolicy}})["__type"] ==
        "AccessDeniedException");
  const std::string lockout =
      R"({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:user/alice"}, "Action": "kms:*", "Resource": "*"}]})";
  json locked = f.Err("", "PutKeyPolicy",
                      {{"KeyId", f.key_id}, {"PolicyName", "default"}, {"Policy", lockout}});
  CHECK(locked["__type"] == "MalformedPolicyDocumentException");
  CHECK(f.Err("", "PutKeyPolicy",
              {{"KeyId", f.key_id},
               {"PolicyName", "default"},
               {"Policy", "{\"Version\": 1}"}})["__type"] == "MalformedPolicyDocumentException");
  f.Ok("", "PutKeyPolicy", {{"KeyId", f.key_id}, {"PolicyName", "default"}, {"Policy", kPolicy}});
  CHECK(f.Ok("", "GetKeyPolicy", {{"KeyId", f.key_id}, {"PolicyName", "default"}})["Policy"] ==
        kPolicy);

  // Alice: Encrypt and GenerateDataKey with dept=A only.
  const json dept_a = {{"dept", "A"}};
  const json blob = f.Ok("alice", "Encrypt",
                         {{"KeyId", f.key_id},
                          {"Plaintext", plaintext},
                          {"EncryptionContext", dept_a}})["CiphertextBlob"];
  f.Ok("alice", "GenerateDataKey",
       {{"KeyId", f.key_id}, {"KeySpec", "AES_256"}, {"EncryptionContext", dept_a}});
  // (The Root statement names her account, which delegates to her identity
  // policy: she has none, so that is what the refusal names.)
  CHECK(f.Err("alice", "Encrypt",
              {{"KeyId", f.key_id},
               {"Plaintext", plaintext},
               {"EncryptionContext", {{"dept", "B"}}}})["message"] ==
        Denial("arn:aws:iam::111122223333:user/alice", "kms:Encrypt", f.key_arn,
               "because no identity-based policy allows the kms:Encrypt action"));
  CHECK(f.Err("alice", "GenerateDataKey",
              {{"KeyId", f.key_id}, {"KeySpec", "AES_256"}})["__type"] == "AccessDeniedException");
  CHECK(f.Err("alice", "Decrypt",
              {{"CiphertextBlob", blob}, {"EncryptionContext", dept_a}})["__type"] ==
        "AccessDeniedException");
  // Over plain HTTP even the root is refused, by the explicit deny.
  CHECK(f.Err("", "Encrypt", {{"KeyId", f.key_id}, {"Plaintext", plaintext}}, false)["message"] ==
        Denial("arn:aws:iam::111122223333:root", "kms:Encrypt", f.key_arn,
               "with an explicit deny in a resource-based policy"));

  // Bob may not decrypt; a grant lets him, RevokeGrant stops it.
  const json decrypt = {{"CiphertextBlob", blob}, {"EncryptionContext", dept_a}};
  CHECK(f.Err("bob", "Decrypt", decrypt)["__type"] == "AccessDeniedException");
  json grant = f.Ok("", "CreateGrant",
                    {{"KeyId", f.key_id},
                     {"GranteePrincipal", "arn:aws:iam::111122223333:user/bob"},
                     {"Operations", {"Decrypt"}},
                     {"Constraints", {{"EncryptionContextSubset", dept_a}}}});
  CHECK(grant["GrantId"].get<std::string>().size() == 64);
  CHECK(f.Ok("bob", "Decrypt", decrypt)["Plaintext"] == plaintext);
  CHECK(f.Err("bob", "Encrypt", {{"KeyId", f.key_id}, {"Plaintext", plaintext}})["__type"] ==
        "AccessDeniedException");
  json grants = f.Ok("", "ListGrants", {{"KeyId", f.key_id}});
  REQUIRE(grants["Grants"].size() == 1);
  CHECK(grants["Grants"][0]["GranteePrincipal"] == "arn:aws:iam::111122223333:user/bob");
  CHECK(grants["Grants"][0]["Constraints"]["EncryptionContextSubset"] == dept_a);
  CHECK(
      f.Err("bob", "RevokeGrant", {{"KeyId", f.key_id}, {"GrantId", grant["GrantId"]}})["__type"] ==
      "AccessDeniedException");
  f.Ok("", "RevokeGrant", {{"KeyId", f.key_id}, {"GrantId", grant["GrantId"]}});
  CHECK(f.Err("bob", "Decrypt", decrypt)["__type"] == "AccessDeniedException");

  // A grant with RetireGrant: the grantee may retire it with its token.
  json retirable = f.Ok("", "CreateGrant",
                        {{"KeyId", f.key_id},
                         {"GranteePrincipal", "arn:aws:iam::111122223333:user/bob"},
                         {"Operations", {"Decrypt", "RetireGrant"}}});
  f.Ok("bob", "Decrypt", decrypt);
  f.Ok("bob", "RetireGrant", {{"GrantToken", retirable["GrantToken"]}});
  CHECK(f.Err("bob", "Decrypt", decrypt)["__type"] == "AccessDeniedException");

  // Cross-account: the key policy allows account 444455556666, but carol's
  // own account must allow her too.
  const json encrypt = {{"KeyId", f.key_arn}, {"Plaintext", plaintext}};
  CHECK(f.Err("carol", "Encrypt", encrypt)["message"] ==
        Denial("arn:aws:iam::444455556666:user/carol", "kms:Encrypt", f.key_arn,
               "because no identity-based policy allows the kms:Encrypt action"));
  REQUIRE(f.keystore->PutUserPolicy(
      "carol",
      R"({"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": ["kms:Encrypt", "kms:Decrypt"], "Resource": "arn:aws:kms:*:111122223333:key/*"}})"));
  f.Ok("carol", "Encrypt", encrypt);
  // Her identity policy allows Decrypt, the key policy does not.
  CHECK(f.Err("carol", "Decrypt", decrypt)["message"] ==
        Denial("arn:aws:iam::444455556666:user/carol", "kms:Decrypt", f.key_arn,
               "because no resource-based policy allows the kms:Decrypt action"));
  // Account-level operations are the keystore account's.
  CHECK(f.Err("carol", "ListKeys", json::object())["__type"] == "AccessDeniedException");
  CHECK(f.Err("bob", "CreateKey", json::object())["__type"] == "AccessDeniedException");

  // Every call is on the audit trail, refusals included, and it verifies.
  const std::string log = kms::testing::ReadText(f.dir.keystore() + "/audit.log");
  size_t denials = 0;
  for (size_t at = log.find("AccessDeniedException"); at != std::string::npos;
       at = log.find("AccessDeniedException", at + 1)) {
    ++denials;
  }
  CHECK(denials == 15);
  CHECK(log.find("arn:aws:iam::444455556666:user/carol") != std::string::npos);
  auto report = f.keystore->VerifyAuditLog();
  REQUIRE(report.has_value());
  CHECK(report->intact);
}

TEST_CASE("KmsService: CreateKey with a Policy applies it, lockout check included") {
  Authz f;
  json created = f.Ok("", "CreateKey", {{"Policy", kPolicy}});
  const std::string id = created["KeyMetadata"]["KeyId"];
  CHECK(f.Ok("", "GetKeyPolicy", {{"KeyId", id}, {"PolicyName", "default"}})["Policy"] == kPolicy);
  const size_t keys = f.keystore->ListKeys()->size();
  const std::string lockout =
      R"({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:user/alice"}, "Action": "kms:*", "Resource": "*"}]})";
  CHECK(f.Err("", "CreateKey", {{"Policy", lockout}})["__type"] ==
        "MalformedPolicyDocumentException");
  CHECK(f.keystore->ListKeys()->size() == keys);  // no key was made
  json forced =
      f.Ok("", "CreateKey", {{"Policy", lockout}, {"BypassPolicyLockoutSafetyCheck", true}});
  CHECK(f.Err("", "DescribeKey", {{"KeyId", forced["KeyMetadata"]["KeyId"]}})["__type"] ==
        "AccessDeniedException");
}

TEST_CASE("Kms: users, their access keys and identity policies persist") {
  Authz f;
  auto reopened = kms::Kms::Open(kms::testing::Options(f.dir.keystore(), f.clock));
  REQUIRE(reopened.has_value());
  auto users = reopened->ListUsers();
  REQUIRE(users.has_value());
  REQUIRE(users->size() == 3);
  CHECK((*users)[2].arn == "arn:aws:iam::444455556666:user/carol");
  auto keys = reopened->ListAccessKeys();
  REQUIRE(keys.has_value());
  CHECK(std::count_if(keys->begin(), keys->end(),
                      [](const kms::AccessKeyInfo& k) { return k.user_name == "bob"; }) == 1);
  CHECK(reopened->DeleteUser("bob").error().message().starts_with("DeleteConflict"));
  CHECK(reopened->CreateUser("bob").error().message().starts_with("AlreadyExistsException"));
  CHECK(reopened->CreateUser("b/b").error().code() == ErrorCode::invalid_argument);
  CHECK(reopened->CreateUser("dave", "12345").error().code() == ErrorCode::invalid_argument);
  CHECK(reopened->CreateAccessKey("nobody").error().code() == ErrorCode::not_found);
  CHECK(
      reopened
          ->PutUserPolicy(
              "bob",
              R"({"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": "*", "Action": "kms:*", "Resource": "*"}})")
          .error()
          .message()
          .starts_with("MalformedPolicyDocumentException"));
  for (const auto& k : *keys) {
    if (k.user_name == "bob") REQUIRE(reopened->DeleteAccessKey(k.access_key_id));
  }
  REQUIRE(reopened->DeleteUser("bob"));
  // A request signed with a deleted user's key is refused at authentication.
  CHECK(f.Err("bob", "ListKeys", json::object())["__type"] == "UnrecognizedClientException");
}

TEST_CASE("KmsService: GetKeyRotationStatus and ReEncrypt need only their own actions") {
  Authz f;
  // Bob may do exactly these (no kms:DescribeKey): the server must not
  // make a DescribeKey of its own on his behalf, which he would be denied.
  const std::string policy = R"({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"},
    {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:user/bob"},
     "Action": ["kms:GetKeyRotationStatus", "kms:ReEncrypt*"], "Resource": "*"}]})";
  f.Ok("", "PutKeyPolicy", {{"KeyId", f.key_id}, {"PolicyName", "default"}, {"Policy", policy}});
  const std::string plaintext = message::Base64Encode(std::vector<uint8_t>{'h', 'i'});
  json ct = f.Ok("", "Encrypt", {{"KeyId", f.key_id}, {"Plaintext", plaintext}});
  json status = f.Ok("bob", "GetKeyRotationStatus", {{"KeyId", f.key_arn}});
  CHECK(status["KeyId"] == f.key_arn);
  CHECK(status["KeyRotationEnabled"] == false);
  json re = f.Ok("bob", "ReEncrypt",
                 {{"CiphertextBlob", ct["CiphertextBlob"]},
                  {"SourceKeyId", f.key_id},
                  {"DestinationKeyId", f.key_id}});
  CHECK(re["SourceKeyId"] == f.key_arn);
  CHECK(f.Err("bob", "DescribeKey", {{"KeyId", f.key_id}})["__type"] == "AccessDeniedException");
  // A SourceKeyId that is not the blob's key is still refused.
  auto other = f.keystore->CreateKey();
  REQUIRE(other);
  CHECK(f.Err("", "ReEncrypt",
              {{"CiphertextBlob", ct["CiphertextBlob"]},
               {"SourceKeyId", other->key_id},
               {"DestinationKeyId", f.key_id}})["__type"] == "IncorrectKeyException");
}

TEST_CASE("KmsService: GrantTokens are checked on every operation that takes them") {
  Authz f;
  json grant = f.Ok("", "CreateGrant",
                    {{"KeyId", f.key_id},
                     {"GranteePrincipal", "arn:aws:iam::111122223333:user/bob"},
                     {"Operations", {"Encrypt", "Decrypt", "RetireGrant"}}});
  const std::string token = grant["GrantToken"];
  const std::string plaintext = message::Base64Encode(std::vector<uint8_t>{'h', 'i'});
  json blob = f.Ok("bob", "Encrypt",
                   {{"KeyId", f.key_id}, {"Plaintext", plaintext}, {"GrantTokens", {token}}});
  const json bad = {"BAD"};
  const json requests[] = {
      {{"KeyId", f.key_id}, {"Plaintext", plaintext}},
      {{"CiphertextBlob", blob["CiphertextBlob"]}},
      {{"KeyId", f.key_id}, {"KeySpec", "AES_256"}},
      {{"KeyId", f.key_id}, {"NumberOfBytes", 16}},
      {{"KeyId", f.key_id}, {"KeySpec", "AES_256"}},
      {{"CiphertextBlob", blob["CiphertextBlob"]}, {"DestinationKeyId", f.key_id}},
      {{"KeyId", f.key_id}},
      {{"KeyId", f.key_id},
       {"GranteePrincipal", "arn:aws:iam::111122223333:user/alice"},
       {"Operations", {"Decrypt"}}},
  };
  const char* operations[] = {"Encrypt",
                              "Decrypt",
                              "GenerateDataKey",
                              "GenerateDataKey",
                              "GenerateDataKeyWithoutPlaintext",
                              "ReEncrypt",
                              "DescribeKey",
                              "CreateGrant"};
  for (size_t i = 0; i < std::size(operations); ++i) {
    const std::string operation = operations[i];
    CAPTURE(operation);
    json request = requests[i];
    request["GrantTokens"] = bad;
    json refused = f.Err("", operation, request);
    CHECK(refused["__type"] == "InvalidGrantTokenException");
    CHECK(refused["message"] == "the grant token is not one this keystore issued (malformed)");
    request["GrantTokens"] = {token};
    f.Ok("", operation, request);
  }
  CHECK(f.keystore->ListGrants(f.key_id)->size() == 2);  // the refused CreateGrant made none

  // GrantTokenList: at most 10 tokens of 1 to 8192 characters.
  const json encrypt = {{"KeyId", f.key_id}, {"Plaintext", plaintext}};
  json request = encrypt;
  request["GrantTokens"] = json(std::vector<std::string>(11, token));
  CHECK(f.Err("", "Encrypt", request)["__type"] == "ValidationException");
  request["GrantTokens"] = {""};
  CHECK(f.Err("", "Encrypt", request)["__type"] == "ValidationException");
  request["GrantTokens"] = {std::string(8193, 'A')};
  CHECK(f.Err("", "Encrypt", request)["__type"] == "ValidationException");

  // RetireGrant by token: a bad one is InvalidGrantToken; a second retire
  // of the same grant NotFound; afterwards the token gives bob nothing.
  CHECK(f.Err("bob", "RetireGrant", {{"GrantToken", "BAD"}})["__type"] ==
        "InvalidGrantTokenException");
  f.Ok("bob", "RetireGrant", {{"GrantToken", token}});
  CHECK(f.Err("bob", "RetireGrant", {{"GrantToken", token}})["__type"] == "NotFoundException");
  request = encrypt;
  request["GrantTokens"] = {token};
  CHECK(f.Err("bob", "Encrypt", request)["__type"] == "AccessDeniedException");
}

}  // namespace envelope::service
