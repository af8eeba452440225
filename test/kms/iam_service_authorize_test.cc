// Kms::AuthorizeServiceAction: the IAM decision of an SSM or Secrets
// Manager action on a non-KMS resource, by the caller's identity policy.
#include <doctest/doctest.h>

#include <map>
#include <string>

#include "kms/kms_test_util.h"

namespace envelope::kms {
namespace {

using testing::TempDir;

constexpr char kApp[] = "arn:aws:ssm:us-east-1:111122223333:parameter/app/x";
constexpr char kOther[] = "arn:aws:ssm:us-east-1:111122223333:parameter/other/y";

// kReadApp lets its user read the parameters under /app and nothing else.
constexpr char kReadApp[] = R"({"Version":"2012-10-17","Statement":[
  {"Effect":"Allow","Action":"ssm:GetParameter",
   "Resource":"arn:aws:ssm:us-east-1:111122223333:parameter/app/*"}]})";

struct Users {
  Users() {
    auto opened = Kms::Open({.directory = dir.keystore()});
    REQUIRE(opened.has_value());
    keystore.emplace(std::move(*opened));
    REQUIRE(keystore->CreateUser("alice").has_value());
    REQUIRE(keystore->CreateUser("dave").has_value());
    REQUIRE(keystore->CreateUser("nopolicy").has_value());
    REQUIRE(keystore->CreateUser("carol", "444455556666").has_value());
    REQUIRE(keystore->PutUserPolicy("alice", kReadApp).has_value());
    // dave may do anything with parameters and secrets but read /app/secret
    // (an explicit deny wins over the allow), and only his own home folder
    // among /home (a policy variable).
    REQUIRE(keystore
                ->PutUserPolicy("dave", R"({"Version":"2012-10-17","Statement":[
      {"Effect":"Allow","Action":["ssm:*","secretsmanager:*"],"NotResource":
         "arn:aws:ssm:us-east-1:111122223333:parameter/home/*"},
      {"Effect":"Allow","Action":"ssm:GetParameter",
       "Resource":"arn:aws:ssm:us-east-1:111122223333:parameter/home/${aws:username}/*"},
      {"Effect":"Deny","Action":"ssm:GetParameter*",
       "Resource":"arn:aws:ssm:us-east-1:111122223333:parameter/app/secret"}]})")
                .has_value());
    REQUIRE(keystore
                ->PutUserPolicy("carol", R"({"Version":"2012-10-17","Statement":[
      {"Effect":"Allow","Action":"*","Resource":"*"}]})")
                .has_value());
    for (const char* user : {"", "alice", "dave", "nopolicy", "carol"}) {
      auto key = keystore->CreateAccessKey(user);
      REQUIRE(key.has_value());
      keys[user] = key->info.access_key_id;
    }
  }

  // As runs AuthorizeServiceAction as a network request of `user` ("": the
  // root's access key).
  Result<void> As(const std::string& user, std::string_view action, std::string_view arn) {
    RequestCaller caller;
    caller.access_key_id = keys.at(user);
    caller.source_ip = "127.0.0.1";
    caller.secure_transport = true;
    ScopedRequestCaller scope(caller);
    return keystore->AuthorizeServiceAction(action, arn);
  }

  TempDir dir;
  std::optional<Kms> keystore;
  std::map<std::string, std::string> keys;
};

std::string Message(const Result<void>& r) { return r ? std::string() : r.error().message(); }

TEST_CASE("AuthorizeServiceAction: the keystore owner's root may do anything") {
  Users u;
  // No network caller: the CLI and the library on the keystore's machine.
  CHECK(u.keystore->AuthorizeServiceAction("ssm:PutParameter", kOther).has_value());
  CHECK(u.keystore->AuthorizeServiceAction("secretsmanager:ListSecrets", "*").has_value());
  // An access key of no user is the root's.
  CHECK(u.As("", "ssm:DeleteParameter", kOther).has_value());
}

TEST_CASE("AuthorizeServiceAction: a user may do what its identity policy allows, where it does") {
  Users u;
  CHECK(u.As("alice", "ssm:GetParameter", kApp).has_value());
  const auto other = u.As("alice", "ssm:GetParameter", kOther);
  REQUIRE_FALSE(other.has_value());
  CHECK(other.error().code() == ErrorCode::unsupported);
  CHECK(Message(other) ==
        "AccessDeniedException: User: arn:aws:iam::111122223333:user/alice is not authorized to "
        "perform: ssm:GetParameter on resource: "
        "arn:aws:ssm:us-east-1:111122223333:parameter/other/y because no identity-based policy "
        "allows the ssm:GetParameter action");
  CHECK(Message(u.As("alice", "ssm:PutParameter", kApp)) ==
        "AccessDeniedException: User: arn:aws:iam::111122223333:user/alice is not authorized to "
        "perform: ssm:PutParameter on resource: arn:aws:ssm:us-east-1:111122223333:parameter/app/x "
        "because no identity-based policy allows the ssm:PutParameter action");
  CHECK_FALSE(u.As("alice", "ssm:GetParameters", kApp).has_value());
  // A user with no policy may do nothing.
  CHECK_FALSE(u.As("nopolicy", "secretsmanager:ListSecrets", "*").has_value());
}

TEST_CASE("AuthorizeServiceAction: an explicit deny wins; policy variables name the caller") {
  Users u;
  CHECK(u.As("dave", "ssm:PutParameter", kApp).has_value());
  CHECK(u.As("dave", "ssm:GetParameter", "arn:aws:ssm:us-east-1:111122223333:parameter/app/public")
            .has_value());
  const std::string secret = "arn:aws:ssm:us-east-1:111122223333:parameter/app/secret";
  CHECK(u.As("dave", "ssm:PutParameter", secret).has_value());
  CHECK(Message(u.As("dave", "ssm:GetParameterHistory", secret)) ==
        "AccessDeniedException: User: arn:aws:iam::111122223333:user/dave is not authorized to "
        "perform: ssm:GetParameterHistory on resource: " +
            secret + " with an explicit deny in an identity-based policy");
  CHECK(u.As("dave", "ssm:GetParameter",
             "arn:aws:ssm:us-east-1:111122223333:parameter/home/dave/token")
            .has_value());
  CHECK_FALSE(u.As("dave", "ssm:GetParameter",
                   "arn:aws:ssm:us-east-1:111122223333:parameter/home/alice/token")
                  .has_value());
  CHECK(u.As("dave", "secretsmanager:GetSecretValue",
             "arn:aws:secretsmanager:us-east-1:111122223333:secret:app/db-AbCdEf")
            .has_value());
}

TEST_CASE("AuthorizeServiceAction: a caller of another account is refused whatever it allows") {
  Users u;
  CHECK(Message(u.As("carol", "ssm:GetParameter", kApp))
            .starts_with("AccessDeniedException: User: arn:aws:iam::444455556666:user/carol is "
                         "not authorized to perform: ssm:GetParameter on resource: " +
                         std::string(kApp)));
}

TEST_CASE("AuthorizeServiceAction: a deleted access key is refused; KMS actions are not its job") {
  Users u;
  const std::string key = u.keys.at("alice");
  REQUIRE(u.keystore->DeleteAccessKey(key).has_value());
  CHECK(Message(u.As("alice", "ssm:GetParameter", kApp)).starts_with("AccessDeniedException"));
  const auto kms_action = u.keystore->AuthorizeServiceAction("kms:Decrypt", "*");
  REQUIRE_FALSE(kms_action.has_value());
  CHECK(kms_action.error().code() == ErrorCode::invalid_argument);
  CHECK_FALSE(u.keystore->AuthorizeServiceAction("GetParameter", kApp).has_value());
  CHECK_FALSE(u.keystore->AuthorizeServiceAction("ssm:GetParameter", "").has_value());
}

TEST_CASE("AuthorizeServiceAction: deciding writes no audit line and changes nothing") {
  Users u;
  auto before = u.keystore->VerifyAuditLog();
  REQUIRE(before.has_value());
  CHECK(u.As("alice", "ssm:GetParameter", kApp).has_value());
  CHECK_FALSE(u.As("alice", "ssm:GetParameter", kOther).has_value());
  auto after = u.keystore->VerifyAuditLog();
  REQUIRE(after.has_value());
  CHECK(after->intact);
  CHECK(after->lines == before->lines);
}

}  // namespace
}  // namespace envelope::kms
