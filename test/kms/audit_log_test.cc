// The audit log: one line per operation (failures included), no key
// material or plaintext in any encoding, and verification that points at
// the first changed, deleted, reordered or cut line.
#include "kms/audit_log.h"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "crypto/hex.h"
#include "envelope/kms.hpp"
#include "kms/keystore_file.h"
#include "kms/keystore_state.h"
#include "kms/root_key.h"
#include "kms_test_util.h"

namespace envelope::kms {
namespace {

using testing::Bytes;
using testing::FakeClock;
using testing::Options;
using testing::ReadText;
using testing::TempDir;

std::vector<std::string> Lines(const std::string& path) {
  std::vector<std::string> out;
  std::istringstream in(ReadText(path));
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

void WriteLines(const std::string& path, const std::vector<std::string>& lines) {
  std::string text;
  for (const auto& l : lines) text += l + "\n";
  testing::WriteText(path, text);
}

std::string Base64(std::span<const uint8_t> in, bool url) {
  const char* abc = url ? "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
                        : "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const uint32_t v = uint32_t{in[i]} << 16 | uint32_t{in[i + 1]} << 8 | in[i + 2];
    for (int s = 18; s >= 0; s -= 6) out.push_back(abc[(v >> s) & 63]);
  }
  // The unpadded prefix is enough to find an encoding inside longer text.
  return out;
}

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// Secrets returns every key version's material plus the root key.
std::vector<std::vector<uint8_t>> Secrets(const std::string& dir) {
  auto root = internal::LoadManagedRootKey(dir + "/root.key");
  REQUIRE(root);
  auto payload = internal::OpenKeystore(testing::ReadBytes(dir + "/keystore.kms"), *root);
  REQUIRE(payload);
  auto state = internal::DecodePayload(payload->span());
  REQUIRE(state);
  std::vector<std::vector<uint8_t>> out = {{root->span().begin(), root->span().end()}};
  for (const auto& [id, key] : state->keys) {
    for (const auto& v : key.versions) out.emplace_back(v.material().begin(), v.material().end());
  }
  return out;
}

TEST_CASE("Audit: every operation logs one line, failures included") {
  TempDir tmp;
  FakeClock clock;
  auto kms = Kms::Open(Options(tmp.keystore(), clock));
  REQUIRE(kms);
  auto key = kms->CreateKey();
  REQUIRE(kms->CreateAlias("alias/a", key->key_id));
  auto ct = kms->Encrypt("alias/a", Bytes("hi"), {{"app", "test"}});
  REQUIRE(kms->Decrypt(ct->blob, {{"app", "test"}}));
  CHECK_FALSE(kms->Decrypt(ct->blob, {{"app", "other"}}));
  CHECK_FALSE(kms->DescribeKey("alias/missing"));
  REQUIRE(kms->EnableKeyRotation(key->key_id, 90));
  clock.AdvanceDays(90);
  REQUIRE(kms->GenerateDataKey(key->key_id));  // rotation happens first

  const auto lines = Lines(tmp.keystore() + "/audit.log");
  std::vector<std::string> ops;
  for (const auto& l : lines) ops.push_back(nlohmann::json::parse(l)["eventName"]);
  const std::vector<std::string> expected = {
      "CreateKeystore", "CreateKey",   "CreateAlias",       "Encrypt",   "Decrypt",
      "Decrypt",        "DescribeKey", "EnableKeyRotation", "RotateKey", "GenerateDataKey"};
  CHECK(ops == expected);
  const auto encrypt = nlohmann::json::parse(lines[3]);
  // CloudTrail's record shape.
  CHECK(encrypt["eventVersion"] == "1.08");
  CHECK(encrypt["eventSource"] == "kms.amazonaws.com");
  CHECK(encrypt["eventType"] == "AwsApiCall");
  CHECK(encrypt["requestParameters"]["keyId"] == key->key_id);
  CHECK(encrypt["additionalEventData"]["keyVersion"] == 1);
  CHECK(encrypt["requestParameters"]["encryptionContext"]["app"] == "test");
  CHECK_FALSE(encrypt.contains("errorCode"));
  CHECK(encrypt["additionalEventData"]["uid"] == getuid());
  CHECK(encrypt["additionalEventData"]["pid"] == getpid());
  CHECK(encrypt["eventTime"] == "2025-01-01T00:00:00.000Z");
  CHECK(encrypt["eventID"].get<std::string>().size() == 36);
  CHECK(encrypt["readOnly"] == false);
  // A caller on the keystore's own machine is the account's root.
  CHECK(encrypt["userIdentity"]["type"] == "Root");
  CHECK(encrypt["userIdentity"]["arn"] == "arn:aws:iam::111122223333:root");
  CHECK(encrypt["resources"][0]["ARN"] == "arn:aws:kms:us-east-1:111122223333:key/" + key->key_id);
  CHECK(encrypt["resources"][0]["type"] == "AWS::KMS::Key");
  const auto failed = nlohmann::json::parse(lines[5]);
  CHECK(failed["errorCode"] == "InvalidCiphertextException");
  CHECK_FALSE(failed["errorMessage"].get<std::string>().empty());
  CHECK(nlohmann::json::parse(lines[6])["readOnly"] == true);
  CHECK(nlohmann::json::parse(lines[9])["additionalEventData"]["keyVersion"] == 2);
  auto report = kms->VerifyAuditLog();
  REQUIRE(report);
  CHECK(report->intact);
  CHECK(report->lines == lines.size());
}

TEST_CASE("Audit: no key material, data key or plaintext appears in the log") {
  TempDir tmp;
  FakeClock clock;
  auto kms = Kms::Open(Options(tmp.keystore(), clock));
  auto key = kms->CreateKey();
  REQUIRE(kms->RotateKeyOnDemand(key->key_id));
  const std::string secret_text = "the eagle lands at midnight, bring the documents";
  auto ct = kms->Encrypt(key->key_id, Bytes(secret_text));
  auto pt = kms->Decrypt(ct->blob);
  auto dk = kms->GenerateDataKey(key->key_id);
  REQUIRE(kms->Decrypt(dk->ciphertext.blob));
  auto other = kms->CreateKey();
  REQUIRE(kms->ReEncrypt(dk->ciphertext.blob, {}, other->key_id, {}));
  REQUIRE(kms->DefaultKey());

  auto secrets = Secrets(tmp.keystore());
  REQUIRE(secrets.size() == 5);  // root key + 2 versions + 1 + default key
  secrets.emplace_back(dk->plaintext.span().begin(), dk->plaintext.span().end());
  secrets.emplace_back(secret_text.begin(), secret_text.end());
  const std::string log =
      ReadText(tmp.keystore() + "/audit.log") + ReadText(tmp.keystore() + "/audit.head");
  REQUIRE(log.size() > 1000);
  for (const auto& s : secrets) {
    const std::string hex = crypto::ToHex(s);
    for (const std::string& needle :
         {hex.substr(0, 24), Upper(hex).substr(0, 24), Base64(s, false).substr(0, 16),
          Base64(s, true).substr(0, 16), std::string(s.begin(), s.begin() + 12)}) {
      CAPTURE(needle);
      CHECK(log.find(needle) == std::string::npos);
    }
  }
}

struct AuditFixture {
  TempDir tmp;
  FakeClock clock;
  std::string path;
  std::vector<std::string> lines;
  AuditFixture() {
    auto kms = Kms::Open(Options(tmp.keystore(), clock));
    REQUIRE(kms);
    auto key = kms->CreateKey();
    for (int i = 0; i < 6; ++i) REQUIRE(kms->Encrypt(key->key_id, Bytes("x")));
    path = tmp.keystore() + "/audit.log";
    lines = Lines(path);
    REQUIRE(lines.size() == 8);
  }
  AuditReport Verify() {
    auto r = internal::VerifyAuditLog(tmp.keystore());
    REQUIRE(r);
    return *r;
  }
};

TEST_CASE("Audit: verify finds the changed line") {
  AuditFixture f;
  CHECK(f.Verify().intact);
  for (size_t changed : {0u, 3u, 7u}) {
    CAPTURE(changed);
    auto lines = f.lines;
    const size_t at = lines[changed].find("\"eventName\":\"");
    REQUIRE(at != std::string::npos);
    lines[changed][at + 13] = 'Z';
    WriteLines(f.path, lines);
    auto r = f.Verify();
    CHECK_FALSE(r.intact);
    CHECK(r.first_bad_line == changed + 1);
    CHECK(r.problem.find("changed") != std::string::npos);
  }
}

TEST_CASE("Audit: verify finds a deleted line, including the last one") {
  AuditFixture f;
  for (size_t removed : {0u, 4u, 7u}) {
    CAPTURE(removed);
    auto lines = f.lines;
    lines.erase(lines.begin() + static_cast<long>(removed));
    WriteLines(f.path, lines);
    auto r = f.Verify();
    CHECK_FALSE(r.intact);
    CHECK(r.first_bad_line == removed + 1);
    CHECK(r.problem.find("missing") != std::string::npos);
  }
}

TEST_CASE("Audit: verify finds reordered lines and malformed ones") {
  AuditFixture f;
  auto lines = f.lines;
  std::swap(lines[2], lines[3]);
  WriteLines(f.path, lines);
  auto r = f.Verify();
  CHECK_FALSE(r.intact);
  CHECK(r.first_bad_line == 3);
  lines = f.lines;
  lines[5] = "garbage";
  WriteLines(f.path, lines);
  CHECK(f.Verify().first_bad_line == 6);
  lines = f.lines;
  lines.push_back(lines.back());  // a duplicated line
  WriteLines(f.path, lines);
  CHECK(f.Verify().first_bad_line == 9);
}

TEST_CASE("Audit: a torn last line is reported, then cut by the next append") {
  AuditFixture f;
  std::string text;
  for (const auto& l : f.lines) text += l + "\n";
  testing::WriteText(f.path, text + "{\"seq\":9,\"prev\":\"ab");
  auto r = f.Verify();
  CHECK_FALSE(r.intact);
  CHECK(r.first_bad_line == 9);
  CHECK(r.problem.find("incomplete") != std::string::npos);
  {
    auto kms = Kms::Open(Options(f.tmp.keystore(), f.clock));
    REQUIRE(kms->ListKeys());
  }
  auto after = f.Verify();
  CHECK(after.intact);
  CHECK(after.lines == 9);
}

TEST_CASE("Audit: the chain goes on after lines and torn tails longer than the first read") {
  // LastLine reads 4 KiB of the tail first and doubles it until it holds
  // the last line: here that line is over 6 KB, then a 10 KB torn tail.
  TempDir tmp;
  FakeClock clock;
  auto kms = Kms::Open(Options(tmp.keystore(), clock));
  auto key = kms->CreateKey();
  const EncryptionContext big{{"purpose", std::string(6000, 'v')}};
  REQUIRE(kms->Encrypt(key->key_id, Bytes("x"), big));
  REQUIRE(kms->Encrypt(key->key_id, Bytes("x"), big));
  REQUIRE(kms->Encrypt(key->key_id, Bytes("x")));
  auto r = internal::VerifyAuditLog(tmp.keystore());
  REQUIRE(r);
  CHECK(r->intact);
  const uint64_t lines = r->lines;
  const std::string path = tmp.keystore() + "/audit.log";
  testing::WriteText(path,
                     testing::ReadText(path) + "{\"seq\":5,\"prev\":\"" + std::string(10000, 'a'));
  REQUIRE(kms->Encrypt(key->key_id, Bytes("x"), big));
  r = internal::VerifyAuditLog(tmp.keystore());
  REQUIRE(r);
  CHECK(r->intact);
  CHECK(r->lines == lines + 1);  // the torn tail is gone, the new line chained on
}

}  // namespace
}  // namespace envelope::kms
