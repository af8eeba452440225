// ARNs and AWS KMS's four ways of naming a key.
#include "aws/arn.h"

#include <doctest/doctest.h>

#include "aws/error_shapes.h"

namespace envelope::aws {
namespace {

constexpr std::string_view kKeyId = "1234abcd-12ab-34cd-56ef-1234567890ab";
constexpr std::string_view kKeyArn =
    "arn:aws:kms:us-east-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
constexpr std::string_view kAliasArn = "arn:aws:kms:us-east-2:111122223333:alias/ExampleAlias";

TEST_CASE("ParseArn: the six parts, and format gives back the same bytes") {
  auto arn = ParseArn(kKeyArn);
  REQUIRE(arn);
  CHECK(arn->partition == "aws");
  CHECK(arn->service == "kms");
  CHECK(arn->region == "us-east-2");
  CHECK(arn->account == "111122223333");
  CHECK(arn->resource == "key/1234abcd-12ab-34cd-56ef-1234567890ab");
  for (const std::string_view text :
       {kKeyArn, kAliasArn, std::string_view("arn:aws:s3:::my-bucket/a:b"),
        std::string_view("arn:aws:iam::123456789012:user/Alice"),
        std::string_view(
            "arn:aws-cn:kms:cn-north-1:123456789012:key/mrk-0123456789abcdef0123456789abcdef"),
        std::string_view("arn:aws-us-gov:lambda:us-gov-west-1:123456789012:function:f:1")}) {
    CAPTURE(text);
    auto parsed = ParseArn(text);
    REQUIRE(parsed);
    CHECK(parsed->ToString() == text);
  }
}

TEST_CASE("ParseArn: strict about every part") {
  for (const std::string_view bad :
       {"", "arn", "arn:aws:kms:us-east-2:111122223333", "ARN:aws:kms:us-east-2:111122223333:key/x",
        "arn:amazon:kms:us-east-2:111122223333:key/x", "arn:aws:KMS:us-east-2:111122223333:key/x",
        "arn:aws::us-east-2:111122223333:key/x", "arn:aws:kms:US-EAST-2:111122223333:key/x",
        "arn:aws:kms:us-east-2:11112222333:key/x", "arn:aws:kms:us-east-2:1111222233334:key/x",
        "arn:aws:kms:us-east-2:11112222333a:key/x", "arn:aws:kms:us-east-2:111122223333:",
        "arn:aws:kms:us-east-2:111122223333:key/a b", "arn:aws:kms:us_east:111122223333:key/x"}) {
    CAPTURE(bad);
    auto r = ParseArn(bad);
    REQUIRE(!r);
    CHECK(r.error().code() == ErrorCode::invalid_argument);
    CHECK(ToAwsError(r.error()).type == "InvalidArnException");
  }
  CHECK(!ParseArn("arn:aws:s3:::" + std::string(2048, 'x')));
  CHECK(ParseArn("arn:aws:s3:::" + std::string(2048 - 13, 'x')));
}

TEST_CASE("ParseKmsArn: key and alias ARNs only") {
  auto key = ParseKmsArn(kKeyArn);
  REQUIRE(key);
  CHECK(key->type == KmsArn::Type::key);
  CHECK(key->name == kKeyId);
  CHECK(key->ToString() == kKeyArn);
  auto alias = ParseKmsArn(kAliasArn);
  REQUIRE(alias);
  CHECK(alias->type == KmsArn::Type::alias);
  CHECK(alias->name == "alias/ExampleAlias");
  CHECK(alias->ToString() == kAliasArn);
  for (const std::string_view bad :
       {"arn:aws:s3:us-east-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        "arn:aws:kms::111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        "arn:aws:kms:us-east-2::key/1234abcd-12ab-34cd-56ef-1234567890ab",
        "arn:aws:kms:us-east-2:111122223333:key/not-a-key-id",
        "arn:aws:kms:us-east-2:111122223333:alias/", "arn:aws:kms:us-east-2:111122223333:grant/x",
        "arn:aws:kms:us-east-2:111122223333:alias/a:b"}) {
    CAPTURE(bad);
    CHECK(ToAwsError(ParseKmsArn(bad).error()).type == "InvalidArnException");
  }
}

TEST_CASE("IsKmsKeyId and IsKmsAliasName: the shapes AWS KMS accepts") {
  CHECK(IsKmsKeyId(kKeyId));
  CHECK(IsKmsKeyId("1234ABCD-12AB-34CD-56EF-1234567890AB"));
  CHECK(IsKmsKeyId("mrk-0123456789abcdef0123456789abcdef"));
  CHECK(!IsKmsKeyId("mrk-0123456789ABCDEF0123456789abcdef"));
  CHECK(!IsKmsKeyId("1234abcd-12ab-34cd-56ef-1234567890a"));
  CHECK(!IsKmsKeyId("1234abcd-12ab-34cd-56ef_1234567890ab"));
  CHECK(!IsKmsKeyId("1234abcg-12ab-34cd-56ef-1234567890ab"));
  CHECK(IsKmsAliasName("alias/ExampleAlias"));
  CHECK(IsKmsAliasName("alias/aws/s3"));
  CHECK(IsKmsAliasName("alias/a_b-c/d"));
  CHECK(IsKmsAliasName("alias/" + std::string(250, 'a')));
  CHECK(!IsKmsAliasName("alias/" + std::string(251, 'a')));
  CHECK(!IsKmsAliasName("alias/"));
  CHECK(!IsKmsAliasName("alias/a b"));
  CHECK(!IsKmsAliasName("Alias/a"));
}

TEST_CASE("ClassifyKeyId: key id, key ARN, alias name, alias ARN") {
  auto id = ClassifyKeyId(kKeyId);
  REQUIRE(id);
  CHECK(id->form == KeyIdForm::key_id);
  CHECK(id->name == kKeyId);
  CHECK(!id->arn);

  auto key_arn = ClassifyKeyId(kKeyArn);
  REQUIRE(key_arn);
  CHECK(key_arn->form == KeyIdForm::key_arn);
  CHECK(key_arn->name == kKeyId);
  REQUIRE(key_arn->arn);
  CHECK(key_arn->arn->region == "us-east-2");
  CHECK(key_arn->arn->account == "111122223333");

  auto alias = ClassifyKeyId("alias/ExampleAlias");
  REQUIRE(alias);
  CHECK(alias->form == KeyIdForm::alias_name);
  CHECK(alias->name == "alias/ExampleAlias");

  auto alias_arn = ClassifyKeyId(kAliasArn);
  REQUIRE(alias_arn);
  CHECK(alias_arn->form == KeyIdForm::alias_arn);
  CHECK(alias_arn->name == "alias/ExampleAlias");
  CHECK(alias_arn->arn->ToString() == kAliasArn);

  for (const std::string_view bad :
       {"", "not-a-key", "alias/", "alias/a b", "arn:aws:kms:us-east-2:111122223333:key/nope",
        "arn:aws:s3:::bucket", "ExampleAlias"}) {
    CAPTURE(bad);
    auto r = ClassifyKeyId(bad);
    REQUIRE(!r);
    CHECK(r.error().code() == ErrorCode::not_found);
    CHECK(ToAwsError(r.error()).type == "NotFoundException");
  }
  CHECK(!ClassifyKeyId(std::string(2049, 'a')));
}

}  // namespace
}  // namespace envelope::aws
