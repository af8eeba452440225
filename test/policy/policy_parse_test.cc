// ParsePolicy: what is refused, and the shapes it reads.
#include <doctest/doctest.h>

#include <string>

#include "policy/policy.h"

namespace {

using envelope::policy::ParsePolicy;
using envelope::policy::PolicyKind;

std::string WithCondition(const std::string& condition) {
  return R"({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "kms:*", "Resource": "*", "Condition": )" +
         condition + "}]}";
}

}  // namespace

TEST_CASE("Policy: malformed documents are refused, naming the problem") {
  const struct {
    const char* name;
    std::string text;
    const char* says;
  } cases[] = {
      {"not JSON", "{\"Version\": ", "not a JSON object"},
      {"an array", "[]", "not a JSON object"},
      {"wrong version", R"({"Version": "2008-10-17", "Statement": []})", "Version"},
      {"no version",
       R"({"Statement": {"Effect": "Allow", "Principal": "*", "Action": "kms:*", "Resource": "*"}})",
       "Version"},
      {"no statement", R"({"Version": "2012-10-17"})", "no Statement"},
      {"empty statement list", R"({"Version": "2012-10-17", "Statement": []})", "1 to 100"},
      {"unknown top-level member", R"({"Version": "2012-10-17", "Statment": []})",
       "unknown policy member"},
      {"unknown statement member",
       R"({"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": "*", "Action": "kms:*", "Resource": "*", "Conditions": {}}})",
       "unknown statement member"},
      {"bad effect",
       R"({"Version": "2012-10-17", "Statement": {"Effect": "allow", "Principal": "*", "Action": "kms:*", "Resource": "*"}})",
       "Effect"},
      {"no principal in a key policy",
       R"({"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "kms:*", "Resource": "*"}})",
       "Principal"},
      {"wildcard in a principal ARN",
       R"({"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::*:root"}, "Action": "kms:*", "Resource": "*"}})",
       "invalid principal"},
      {"service principal",
       R"({"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"}, "Action": "kms:*", "Resource": "*"}})",
       "not supported"},
      {"Action and NotAction",
       R"({"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": "*", "Action": "kms:*", "NotAction": "kms:Decrypt", "Resource": "*"}})",
       "exactly one of Action"},
      {"no resource",
       R"({"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": "*", "Action": "kms:*"}})",
       "Resource"},
      {"action without service",
       R"({"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": "*", "Action": "Encrypt", "Resource": "*"}})",
       "invalid action"},
      {"empty action list",
       R"({"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": "*", "Action": [], "Resource": "*"}})",
       "Action must be"},
      {"unknown operator", WithCondition(R"({"StringEqual": {"aws:username": "a"}})"),
       "unknown condition operator"},
      {"unknown prefix", WithCondition(R"({"ForSomeValues:StringEquals": {"aws:username": "a"}})"),
       "unknown condition operator"},
      {"NullIfExists", WithCondition(R"({"NullIfExists": {"aws:username": "true"}})"),
       "not allowed"},
      {"Null value", WithCondition(R"({"Null": {"aws:username": "maybe"}})"), "does not parse"},
      {"Bool value", WithCondition(R"({"Bool": {"aws:SecureTransport": "yes"}})"),
       "does not parse"},
      {"number", WithCondition(R"({"NumericLessThan": {"aws:MultiFactorAuthAge": "1e3"}})"),
       "does not parse"},
      {"float member", WithCondition(R"({"NumericLessThan": {"aws:MultiFactorAuthAge": 1.5}})"),
       "must be strings"},
      {"date", WithCondition(R"({"DateLessThan": {"aws:CurrentTime": "2026-02-30"}})"),
       "does not parse"},
      {"time", WithCondition(R"({"DateLessThan": {"aws:CurrentTime": "2026-02-03T25:00:00Z"}})"),
       "does not parse"},
      {"cidr", WithCondition(R"({"IpAddress": {"aws:SourceIp": "10.0.0.0/33"}})"),
       "does not parse"},
      {"address", WithCondition(R"({"IpAddress": {"aws:SourceIp": "10.0.0"}})"), "does not parse"},
      {"empty values", WithCondition(R"({"StringEquals": {"aws:username": []}})"),
       "1 to 200 values"},
      {"nested values", WithCondition(R"({"StringEquals": {"aws:username": [["a"]]}})"),
       "must be strings"},
      {"empty condition", WithCondition("{}"), "non-empty object"},
      {"too deep", std::string(20, '[') + std::string(20, ']'), "nests deeper"},
      {"too long", R"({"Version": "2012-10-17", "Id": ")" + std::string(40000, 'x') + "\"}",
       "longer than"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.name);
    auto doc = ParsePolicy(c.text, PolicyKind::resource);
    REQUIRE_FALSE(doc.has_value());
    CHECK(doc.error().code() == envelope::ErrorCode::invalid_argument);
    CHECK(doc.error().message().starts_with("MalformedPolicyDocumentException: "));
    CHECK_MESSAGE(doc.error().message().find(c.says) != std::string::npos, doc.error().message());
  }
}

TEST_CASE("Policy: an identity policy may not name a principal") {
  auto doc = ParsePolicy(
      R"({"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": "*", "Action": "kms:*", "Resource": "*"}})",
      PolicyKind::identity);
  REQUIRE_FALSE(doc.has_value());
  CHECK(doc.error().message().find("cannot name a Principal") != std::string::npos);
}

TEST_CASE("Policy: shapes read") {
  auto doc = ParsePolicy(R"({"Version": "2012-10-17", "Id": "key-default-1", "Statement": [
      {"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": ["111122223333", "arn:aws:iam::444455556666:user/carol"]},
       "Action": "kms:*", "Resource": "*",
       "Condition": {"ForAnyValue:StringLikeIfExists": {"kms:EncryptionContext:Dept": ["a*", true, 7]}}}]})",
                         PolicyKind::resource);
  REQUIRE(doc.has_value());
  CHECK(doc->id == "key-default-1");
  REQUIRE(doc->statements.size() == 1);
  const auto& s = doc->statements[0];
  CHECK(s.sid == "Enable IAM User Permissions");
  CHECK(s.principals == std::vector<std::string>{"arn:aws:iam::111122223333:root",
                                                 "arn:aws:iam::444455556666:user/carol"});
  REQUIRE(s.conditions.size() == 1);
  CHECK(s.conditions[0].key == "kms:encryptioncontext:dept");
  CHECK(s.conditions[0].set == envelope::policy::SetQualifier::for_any_value);
  CHECK(s.conditions[0].if_exists);
  CHECK(s.conditions[0].values == std::vector<std::string>{"a*", "true", "7"});
}

TEST_CASE("Policy: WildcardMatch") {
  using envelope::policy::WildcardMatch;
  CHECK(WildcardMatch("*", ""));
  CHECK(WildcardMatch("a*b*c", "aXbYc"));
  CHECK_FALSE(WildcardMatch("a*b*c", "aXbY"));
  CHECK(WildcardMatch("a?c", "abc"));
  CHECK_FALSE(WildcardMatch("a?c", "ac"));
  CHECK(WildcardMatch("KMS:*", "kms:Encrypt", true));
  CHECK_FALSE(WildcardMatch("KMS:*", "kms:Encrypt", false));
  // Worst case stays quick: many stars against a long non-matching text.
  CHECK_FALSE(WildcardMatch(std::string(2000, '*') + "b", std::string(5000, 'a')));
}
