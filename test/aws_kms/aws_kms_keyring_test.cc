// The AWS KMS keyrings against our KMS server: round trips for each kind,
// the EDKs every AWS Encryption SDK writes, the discovery filter, every
// attempt reported, and the multi-Region matching rules.
#include <doctest/doctest.h>

#include "aws/aws_kms_mrk.h"
#include "envelope/aws_kms.hpp"
#include "envelope/message.hpp"
#include "kms_server_fixture.h"

namespace envelope {
namespace {

using testing::KmsServer;

std::vector<uint8_t> Plain(std::string_view s) { return {s.begin(), s.end()}; }
std::string Info(const EncryptedDataKey& edk) {
  return {edk.provider_info.begin(), edk.provider_info.end()};
}

const EncryptionContext kContext = {{"bucket", "photos"}};
constexpr AlgorithmSuiteId kSuites[] = {
    AlgorithmSuiteId::aes_256_gcm_hkdf_sha512_commit_key,
    AlgorithmSuiteId::aes_256_gcm_hkdf_sha512_commit_key_ecdsa_p384};

TEST_CASE("AwsKmsKeyring: generator and children; each key alone decrypts; aws-kms EDKs") {
  KmsServer server;
  const std::string generator = server.CreateKey();
  const std::string child = server.CreateKey();
  auto keyring = NewAwsKmsKeyring({.generator = generator, .children = {child}}, server.Supplier());
  REQUIRE_MESSAGE(keyring, (keyring ? "" : keyring.error().ToString()));
  for (AlgorithmSuiteId suite : kSuites) {
    auto message =
        Encrypt(Plain("hello aws kms"), **keyring, {.suite = suite, .context = kContext});
    REQUIRE_MESSAGE(message, (message ? "" : message.error().ToString()));
    auto out = Decrypt(*message, **keyring);
    REQUIRE(out);
    CHECK(out->plaintext == Plain("hello aws kms"));
    REQUIRE(out->header.encrypted_data_keys.size() == 2);
    CHECK(out->header.encrypted_data_keys[0].provider_id == "aws-kms");
    CHECK(Info(out->header.encrypted_data_keys[0]) == generator);
    CHECK(Info(out->header.encrypted_data_keys[1]) == child);
    auto child_only = NewAwsKmsKeyring({.children = {child}}, server.Supplier());
    REQUIRE(child_only);
    auto by_child = Decrypt(*message, **child_only);
    REQUIRE(by_child);
    CHECK(by_child->plaintext == Plain("hello aws kms"));
    // A keyring of child keys alone cannot make a data key.
    auto no_generator = Encrypt(Plain("x"), **child_only, {});
    REQUIRE_FALSE(no_generator);
    CHECK(no_generator.error().code() == ErrorCode::invalid_argument);
  }
}

TEST_CASE(
    "AwsKmsKeyring: an alias ARN encrypts; the EDK names the key ARN; the alias ARN "
    "does not decrypt (EDKs name keys)") {
  KmsServer server;
  const std::string key = server.CreateKey();
  REQUIRE(server.kms().CreateAlias("alias/app", key.substr(key.rfind('/') + 1)));
  const std::string alias_arn = "arn:aws:kms:us-east-1:111122223333:alias/app";
  auto by_alias = NewAwsKmsKeyring({.generator = alias_arn}, server.Supplier());
  REQUIRE(by_alias);
  auto message = Encrypt(Plain("x"), **by_alias, {.context = kContext});
  REQUIRE(message);
  auto denied = Decrypt(*message, **by_alias);
  REQUIRE_FALSE(denied);
  CHECK(denied.error().code() == ErrorCode::not_found);
  auto by_key = NewAwsKmsKeyring({.generator = key}, server.Supplier());
  REQUIRE(by_key);
  CHECK(Decrypt(*message, **by_key));
}

TEST_CASE("AwsKmsKeyring: the encryption context binds the KMS blob") {
  KmsServer server;
  const std::string key = server.CreateKey();
  auto keyring = NewAwsKmsKeyring({.generator = key}, server.Supplier());
  REQUIRE(keyring);
  auto message = Encrypt(Plain("x"), **keyring, {.context = kContext});
  REQUIRE(message);
  auto header = Decrypt(*message, **keyring);
  REQUIRE(header);
  // Another keyring on an EDK list with the same blob but under another
  // context cannot open: the keyring passes the materials' context.
  DecryptionMaterials materials;
  materials.suite = header->header.suite;
  materials.context = {{"bucket", "other"}};
  auto r = (*keyring)->OnDecrypt(materials, header->header.encrypted_data_keys);
  REQUIRE_FALSE(r);
  CHECK(r.error().code() == ErrorCode::auth_failed);
  CHECK(r.error().message().find("InvalidCiphertextException") != std::string::npos);
}

TEST_CASE("AwsKmsKeyring: when no data key opens, every attempt is reported") {
  KmsServer server;
  const std::string a = server.CreateKey();
  const std::string b = server.CreateKey();
  auto keyring = NewAwsKmsKeyring({.generator = a, .children = {b}}, server.Supplier());
  REQUIRE(keyring);
  auto message = Encrypt(Plain("x"), **keyring, {.context = kContext});
  REQUIRE(message);
  REQUIRE(server.kms().DisableKey(a.substr(a.rfind('/') + 1)));
  REQUIRE(server.kms().ScheduleKeyDeletion(b.substr(b.rfind('/') + 1), 7));
  auto r = Decrypt(*message, **keyring);
  REQUIRE_FALSE(r);
  INFO(r.error().message());
  CHECK(r.error().code() == ErrorCode::key_state);
  CHECK(r.error().message().find("2 attempts") != std::string::npos);
  CHECK(r.error().message().find(a + ": DisabledException") != std::string::npos);
  CHECK(r.error().message().find(b + ": KMSInvalidStateException") != std::string::npos);
  // Once one key works again, decryption goes on to it.
  REQUIRE(server.kms().EnableKey(a.substr(a.rfind('/') + 1)));
  CHECK(Decrypt(*message, **keyring));
}

TEST_CASE("AwsKmsDiscoveryKeyring: any aws-kms EDK; the filter refuses other accounts") {
  KmsServer server;
  const std::string key = server.CreateKey();
  auto keyring = NewAwsKmsKeyring({.generator = key}, server.Supplier());
  REQUIRE(keyring);
  auto message = Encrypt(Plain("discover me"), **keyring, {.context = kContext});
  REQUIRE(message);

  auto open = NewAwsKmsDiscoveryKeyring({}, server.Supplier());
  REQUIRE(open);
  auto out = Decrypt(*message, **open);
  REQUIRE(out);
  CHECK(out->plaintext == Plain("discover me"));

  auto ours = NewAwsKmsDiscoveryKeyring(
      {.filter = AwsKmsDiscoveryFilter{"aws", {"999999999999", "111122223333"}}},
      server.Supplier());
  REQUIRE(ours);
  CHECK(Decrypt(*message, **ours));

  auto theirs = NewAwsKmsDiscoveryKeyring(
      {.filter = AwsKmsDiscoveryFilter{"aws", {"444455556666"}}}, server.Supplier());
  REQUIRE(theirs);
  auto refused = Decrypt(*message, **theirs);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code() == ErrorCode::not_found);
  CHECK(refused.error().message().find("discovery filter") != std::string::npos);

  auto other_partition = NewAwsKmsDiscoveryKeyring(
      {.filter = AwsKmsDiscoveryFilter{"aws-cn", {"111122223333"}}}, server.Supplier());
  REQUIRE(other_partition);
  CHECK_FALSE(Decrypt(*message, **other_partition));

  auto encrypting = Encrypt(Plain("x"), **open, {});
  REQUIRE_FALSE(encrypting);
  CHECK(encrypting.error().code() == ErrorCode::invalid_argument);
}

TEST_CASE("AwsKmsDiscoveryKeyring: MRK-aware discovery calls only its region") {
  KmsServer server;
  const std::string key = server.CreateKey();
  auto keyring = NewAwsKmsKeyring({.generator = key}, server.Supplier());
  REQUIRE(keyring);
  auto message = Encrypt(Plain("x"), **keyring, {.context = kContext});
  REQUIRE(message);
  auto here = NewAwsKmsDiscoveryKeyring({.mrk_region = "us-east-1"}, server.Supplier());
  REQUIRE(here);
  CHECK(Decrypt(*message, **here));
  // A single-Region key of us-east-1 is not tried from eu-west-1.
  auto elsewhere = NewAwsKmsDiscoveryKeyring({.mrk_region = "eu-west-1"}, server.Supplier());
  REQUIRE(elsewhere);
  auto r = Decrypt(*message, **elsewhere);
  REQUIRE_FALSE(r);
  CHECK(r.error().code() == ErrorCode::not_found);
}

TEST_CASE("AwsKmsKeyring: configurations that cannot work are refused") {
  KmsServer server;
  CHECK_FALSE(NewAwsKmsKeyring({}, server.Supplier()));
  CHECK_FALSE(NewAwsKmsKeyring({.generator = "arn:aws:kms:us-east-1:1:key/x"}, server.Supplier()));
  CHECK_FALSE(NewAwsKmsKeyring({.generator = server.CreateKey()}, nullptr));
  const std::string mrk_a =
      "arn:aws:kms:us-east-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab";
  const std::string mrk_b =
      "arn:aws:kms:us-east-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab";
  auto twice = NewAwsKmsKeyring({.generator = mrk_a, .children = {mrk_b}, .mrk_aware = true},
                                server.Supplier());
  REQUIRE_FALSE(twice);
  CHECK(twice.error().message().find("same multi-Region key") != std::string::npos);
  CHECK_FALSE(
      NewAwsKmsDiscoveryKeyring({.filter = AwsKmsDiscoveryFilter{"aws", {}}}, server.Supplier()));
  CHECK_FALSE(NewAwsKmsDiscoveryKeyring({.filter = AwsKmsDiscoveryFilter{"aws", {"12"}}},
                                        server.Supplier()));
  CHECK_FALSE(NewAwsKmsDiscoveryKeyring({.filter = AwsKmsDiscoveryFilter{"nope", {"111122223333"}}},
                                        server.Supplier()));
}

TEST_CASE("MrkMatchForDecrypt: replicas differ in region only; other keys must be equal") {
  const std::string east =
      "arn:aws:kms:us-east-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab";
  const std::string west =
      "arn:aws:kms:us-west-2:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab";
  const std::string other_account =
      "arn:aws:kms:us-west-2:444455556666:key/mrk-1234abcd12ab34cd56ef1234567890ab";
  const std::string srk_east =
      "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
  const std::string srk_west =
      "arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
  CHECK(aws::MrkMatchForDecrypt(east, west));
  CHECK(aws::MrkMatchForDecrypt(east, east));
  CHECK_FALSE(aws::MrkMatchForDecrypt(east, other_account));
  CHECK_FALSE(aws::MrkMatchForDecrypt(srk_east, srk_west));
  CHECK(aws::MrkMatchForDecrypt(srk_east, srk_east));
  CHECK(aws::IsMultiRegionKey("mrk-1234abcd12ab34cd56ef1234567890ab"));
  CHECK_FALSE(aws::IsMultiRegionKey("arn:aws:kms:us-east-1:111122223333:alias/mrk-x"));
}

}  // namespace
}  // namespace envelope
