// Kms::CreateKey with CreateKeyRequest::alias: the key and its alias in one
// transaction, so a refused alias (invalid, reserved, taken, or not allowed
// by the new key's policy) leaves no key behind, and the audit line says so.
#include <doctest/doctest.h>

#include <optional>
#include <string>

#include "envelope/kms.hpp"
#include "kms_test_util.h"

namespace envelope::kms {
namespace {

using testing::FakeClock;
using testing::Options;
using testing::TempDir;

size_t KeyCount(Kms& kms) {
  auto keys = kms.ListKeys();
  REQUIRE(keys.has_value());
  return keys->size();
}

TEST_CASE("Kms::CreateKey with an alias creates both") {
  TempDir tmp;
  FakeClock clock;
  auto kms = Kms::Open(Options(tmp.keystore(), clock));
  REQUIRE(kms.has_value());
  auto key = kms->CreateKey({.description = "web", .alias = "alias/web"});
  REQUIRE(key.has_value());
  auto found = kms->DescribeKey("alias/web");
  REQUIRE(found.has_value());
  CHECK(found->key_id == key->key_id);
  const std::string log = testing::ReadText(tmp.keystore() + "/audit.log");
  CHECK(log.find("\"alias/web\"") != std::string::npos);
}

TEST_CASE("Kms::CreateKey refused for its alias creates nothing") {
  TempDir tmp;
  FakeClock clock;
  auto kms = Kms::Open(Options(tmp.keystore(), clock));
  REQUIRE(kms.has_value());
  REQUIRE(kms->CreateKey({.alias = "alias/taken"}).has_value());
  struct Case {
    const char* alias;
    const char* error;
  };
  for (const Case& c : {Case{"alias/aws/x", "InvalidAliasNameException"},
                        Case{"bad name", "InvalidAliasNameException"},
                        Case{"alias/bad name", "InvalidAliasNameException"},
                        Case{"alias/taken", "AlreadyExistsException"}}) {
    CAPTURE(c.alias);
    auto refused = kms->CreateKey({.description = "unwanted", .alias = c.alias});
    REQUIRE_FALSE(refused.has_value());
    CHECK(refused.error().message().starts_with(c.error));
    CHECK(KeyCount(*kms) == 1);
  }
  auto aliases = kms->ListAliases();
  REQUIRE(aliases.has_value());
  CHECK(aliases->size() == 1);
}

TEST_CASE("Kms::CreateKey whose own policy denies CreateAlias creates nothing") {
  TempDir tmp;
  FakeClock clock;
  auto kms = Kms::Open(Options(tmp.keystore(), clock));
  REQUIRE(kms.has_value());
  const std::string policy =
      R"({"Version": "2012-10-17", "Statement": [
      {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
       "Action": "kms:*", "Resource": "*"},
      {"Effect": "Deny", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
       "Action": "kms:CreateAlias", "Resource": "*"}]})";
  auto refused = kms->CreateKey({.policy = policy, .alias = "alias/denied"});
  REQUIRE_FALSE(refused.has_value());
  CHECK(refused.error().message().starts_with("AccessDeniedException"));
  CHECK(KeyCount(*kms) == 0);
  // The same key without the alias is fine: the policy itself is valid.
  CHECK(kms->CreateKey({.policy = policy}).has_value());
  CHECK(KeyCount(*kms) == 1);
  CHECK_FALSE(kms->DescribeKey("alias/denied").has_value());
}

}  // namespace
}  // namespace envelope::kms
