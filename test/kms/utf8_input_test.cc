// Text that is not UTF-8 at every KMS entry point: a clear
// `invalid_argument` naming the field (never the bytes), no exception, no
// change to the keystore, an audit line that records the refusal without
// the bytes, and a keystore and audit chain that still open and verify.
#include <doctest/doctest.h>

#include <functional>
#include <string>
#include <vector>

#include "envelope/kms.hpp"
#include "kms_test_util.h"

namespace envelope::kms {
namespace {

using testing::Bytes;
using testing::FakeClock;
using testing::Options;
using testing::ReadText;
using testing::TempDir;

const std::string kBad = "k\xff";               // 0xff never occurs in UTF-8
const std::string kSurrogate = "\xed\xa0\x80";  // U+D800 encoded: not UTF-8
const std::string kCle = "cl\xc3\xa9";          // clé
const EncryptionContext kBadValue = {{"app", "x"}, {"k", "\xff"}};
const EncryptionContext kBadKey = {{"\xc0\xaf", "v"}};  // overlong '/'

// Refused checks that `r` failed with `invalid_argument` whose message
// contains `says` and none of the bad bytes.
template <typename R>
void Refused(const R& r, const std::string& says) {
  REQUIRE_FALSE(r);
  CHECK(r.error().code() == ErrorCode::invalid_argument);
  const std::string& m = r.error().message();
  CAPTURE(m);
  CHECK(m.find(says) != std::string::npos);
  CHECK(m.find('\xff') == std::string::npos);
  CHECK(m.find('\xc0') == std::string::npos);
  CHECK(m.find('\xed') == std::string::npos);
}

// Intact reopens the keystore in `dir` and checks it and its audit chain.
void Intact(const std::string& dir, const FakeClock& clock, size_t keys) {
  auto again = Kms::Open(Options(dir, clock));
  REQUIRE(again);
  auto listed = again->ListKeys();
  REQUIRE(listed);
  CHECK(listed->size() == keys);
  auto report = again->VerifyAuditLog();
  REQUIRE(report);
  CHECK(report->intact);
  const std::string log = ReadText(dir + "/audit.log");
  CHECK(log.find('\xff') == std::string::npos);
  CHECK(log.find("\xc0\xaf") == std::string::npos);
  CHECK(log.find("\xed\xa0\x80") == std::string::npos);
}

TEST_CASE("Kms UTF-8: CreateKey refuses a bad description or tag and creates nothing") {
  TempDir dir;
  FakeClock clock;
  auto kms = Kms::Open(Options(dir.keystore(), clock));
  REQUIRE(kms);
  Refused(kms->CreateKey({.description = kBad, .tags = {}}),
          "ValidationException: description is not valid UTF-8");
  Refused(kms->CreateKey({.description = "d", .tags = {{"team", kSurrogate}}}),
          "TagException: tag value for key \"team\" is not valid UTF-8");
  Refused(kms->CreateKey({.description = "d", .tags = {{kBad, "v"}}}),
          "TagException: tag key is not valid UTF-8");
  Intact(dir.keystore(), clock, 0);
  const std::string log = ReadText(dir.keystore() + "/audit.log");
  CHECK(log.find("\"errorCode\":\"TagException\"") != std::string::npos);
  // Valid non-ASCII text is stored and given back unchanged.
  auto key = kms->CreateKey({.description = kCle, .tags = {{kCle, kCle}}});
  REQUIRE(key);
  auto described = kms->DescribeKey(key->key_id);
  REQUIRE(described);
  CHECK(described->description == kCle);
  CHECK(described->tags == Tags{{kCle, kCle}});
  Intact(dir.keystore(), clock, 1);
}

TEST_CASE("Kms UTF-8: aliases that are not UTF-8 are refused without echo") {
  TempDir dir;
  FakeClock clock;
  auto kms = Kms::Open(Options(dir.keystore(), clock));
  REQUIRE(kms);
  auto key = kms->CreateKey();
  REQUIRE(key);
  REQUIRE(kms->CreateAlias("alias/app", key->key_id));
  Refused(kms->CreateAlias("alias/" + kBad, key->key_id),
          "InvalidAliasNameException: the alias name is not valid UTF-8");
  Refused(kms->CreateAlias("alias/ok", "alias/" + kBad), "key id or alias is not valid UTF-8");
  Refused(kms->CreateAlias("alias/ok", kSurrogate), "key id or alias is not valid UTF-8");
  Refused(kms->UpdateAlias("alias/" + kBad, key->key_id), "alias name is not valid UTF-8");
  Refused(kms->UpdateAlias("alias/app", kBad), "key id or alias is not valid UTF-8");
  // Bad text is refused as such before anything else is looked up.
  Refused(kms->UpdateAlias("alias/missing", kBad), "key id or alias is not valid UTF-8");
  Refused(kms->DeleteAlias("alias/" + kBad), "alias name is not valid UTF-8");
  Refused(kms->ListAliases(kBad), "key id or alias is not valid UTF-8");
  auto aliases = kms->ListAliases();
  REQUIRE(aliases);
  CHECK(aliases->size() == 1);
  Intact(dir.keystore(), clock, 1);
}

TEST_CASE("Kms UTF-8: every operation that takes a key refuses a bad key id") {
  TempDir dir;
  FakeClock clock;
  auto kms = Kms::Open(Options(dir.keystore(), clock));
  REQUIRE(kms);
  REQUIRE(kms->CreateKey());
  const std::string says = "ValidationException: key id or alias is not valid UTF-8";
  for (const std::string& bad : {kBad, "alias/" + kBad, kSurrogate}) {
    Refused(kms->DescribeKey(bad), says);
    Refused(kms->EnableKey(bad), says);
    Refused(kms->DisableKey(bad), says);
    Refused(kms->ScheduleKeyDeletion(bad, 7), says);
    Refused(kms->CancelKeyDeletion(bad), says);
    Refused(kms->EnableKeyRotation(bad, 365), says);
    Refused(kms->DisableKeyRotation(bad), says);
    Refused(kms->GetKeyRotationStatus(bad), says);
    Refused(kms->RotateKeyOnDemand(bad), says);
    Refused(kms->ListKeyRotations(bad), says);
    Refused(kms->Encrypt(bad, Bytes("p"), {}), says);
    Refused(kms->GenerateDataKey(bad, {}), says);
    Refused(kms->GenerateDataKeyWithoutPlaintext(bad, {}), says);
  }
  Intact(dir.keystore(), clock, 1);
}

TEST_CASE("Kms UTF-8: every operation that takes a context refuses a bad key or value") {
  TempDir dir;
  FakeClock clock;
  auto kms = Kms::Open(Options(dir.keystore(), clock));
  REQUIRE(kms);
  auto key = kms->CreateKey();
  REQUIRE(key);
  const std::string id = key->key_id;
  const std::string value = "encryption context value for key \"k\" is not valid UTF-8";
  const std::string name = "encryption context key is not valid UTF-8";
  Refused(kms->Encrypt(id, Bytes("p"), kBadValue), value);
  Refused(kms->Encrypt(id, Bytes("p"), kBadKey), name);
  Refused(kms->GenerateDataKey(id, kBadValue), value);
  Refused(kms->GenerateDataKey(id, kBadKey), name);
  Refused(kms->GenerateDataKeyWithoutPlaintext(id, kBadValue), value);
  auto good = kms->Encrypt(id, Bytes("p"), {{kCle, kCle}});
  REQUIRE(good);
  Refused(kms->Decrypt(good->blob, kBadValue), value);
  Refused(kms->Decrypt(good->blob, kBadKey), name);
  Refused(kms->Decrypt(good->blob, {{kCle, kCle}}, kBad), "key id or alias is not valid UTF-8");
  // Found by fuzz/kms_api: bad text wins over a bad blob.
  Refused(kms->Decrypt({}, {}, kBad), "key id or alias is not valid UTF-8");
  Refused(kms->ReEncrypt({}, {}, kBad, {}), "key id or alias is not valid UTF-8");
  Refused(kms->ReEncrypt(good->blob, kBadValue, id, {}), "source " + value);
  Refused(kms->ReEncrypt(good->blob, {{kCle, kCle}}, id, kBadKey), "destination " + name);
  Refused(kms->ReEncrypt(good->blob, {{kCle, kCle}}, kBad, {}),
          "key id or alias is not valid UTF-8");
  // The valid non-ASCII context still decrypts.
  auto plain = kms->Decrypt(good->blob, {{kCle, kCle}});
  REQUIRE(plain);
  CHECK(plain->plaintext.size() == 1);
  Intact(dir.keystore(), clock, 1);
  // The refusals are on the audit log, their bad text replaced.
  const std::string log = ReadText(dir.keystore() + "/audit.log");
  CHECK(log.find("(not valid UTF-8, length 1)") != std::string::npos);
}

}  // namespace
}  // namespace envelope::kms
