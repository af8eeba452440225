// Every test of the ESDK decrypt manifests in ../shared/vectors/esdk:
// raw-key tests must decrypt to the expected plaintext, AWS KMS tests are
// skipped by name (no KMS here), and the invalid-Net-4.0.0 set (written by a
// non-conformant release) must be rejected in full.
#include <doctest/doctest.h>

#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "envelope/keyring.hpp"
#include "envelope/message.hpp"
#include "message/base64.h"
#include "support/vectors.h"

namespace envelope {
namespace {

struct SetTally {
  int decrypted = 0, rejected = 0, skipped_kms = 0, failed = 0;
  int total() const { return decrypted + rejected + skipped_kms + failed; }
};

std::string Text(const std::vector<uint8_t>& bytes) { return {bytes.begin(), bytes.end()}; }

std::filesystem::path FromUri(const std::filesystem::path& dir, const std::string& uri) {
  REQUIRE(uri.starts_with("file://"));
  return dir / uri.substr(7);
}

Result<std::shared_ptr<const Keyring>> KeyringFor(const nlohmann::json& master_key,
                                                  const nlohmann::json& keys) {
  const std::string name = master_key["key"];
  const std::string ns = master_key["provider-id"];
  const auto& key = keys["keys"][name];
  const std::string algorithm = master_key["encryption-algorithm"];
  if (algorithm == "aes") {
    auto material = message::Base64Decode(key["material"].get<std::string>());
    REQUIRE(material);
    return NewRawAesKeyring(ns, name, KeyView(*material));
  }
  REQUIRE(algorithm == "rsa");
  const std::string padding_name = master_key["padding-algorithm"];
  RsaPadding padding = RsaPadding::pkcs1_v15;
  if (padding_name == "oaep-mgf1") {
    const std::string hash = master_key["padding-hash"];
    padding = hash == "sha1"     ? RsaPadding::oaep_sha1
              : hash == "sha256" ? RsaPadding::oaep_sha256
              : hash == "sha384" ? RsaPadding::oaep_sha384
                                 : RsaPadding::oaep_sha512;
    REQUIRE((hash == "sha1" || hash == "sha256" || hash == "sha384" || hash == "sha512"));
  } else {
    REQUIRE(padding_name == "pkcs1");
  }
  const std::string pem = key["material"];
  const bool is_private = key["type"] == "private";
  return NewRawRsaKeyring(ns, name, padding, is_private ? "" : pem, is_private ? pem : "");
}

// RunSet decrypts every test of one manifest; `expect_valid` says whether
// the set's messages are conformant.
SetTally RunSet(const std::string& set, bool expect_valid) {
  const auto dir = testing::VectorPath("esdk/" + set);
  const auto manifest = testing::LoadJson(dir / "manifest.json");
  const auto keys = testing::LoadJson(FromUri(dir, manifest["keys"]));
  SetTally tally;
  std::vector<std::string> skipped;
  for (const auto& item : manifest["tests"].items()) {
    const std::string& name = item.key();
    const auto& t = item.value();
    CAPTURE(name);
    bool kms = false;
    for (const auto& mk : t["master-keys"]) kms = kms || mk["type"] == "aws-kms";
    if (kms) {
      ++tally.skipped_kms;
      skipped.push_back(name);
      continue;
    }
    std::vector<std::shared_ptr<const Keyring>> keyrings;
    for (const auto& mk : t["master-keys"]) {
      REQUIRE(mk["type"] == "raw");
      auto k = KeyringFor(mk, keys);
      REQUIRE(k);
      keyrings.push_back(*k);
    }
    auto generator = keyrings.front();
    keyrings.erase(keyrings.begin());
    auto keyring = NewMultiKeyring(generator, keyrings);
    REQUIRE(keyring);
    auto cmm = NewDefaultCmm(*keyring);
    REQUIRE(cmm);
    DecryptOptions options;
    options.commitment_policy = CommitmentPolicy::require_encrypt_allow_decrypt;
    for (const auto& [k, v] : t["encryption-context"].items()) {
      options.reproduced_context[k] = v.get<std::string>();
    }
    if (t["cmm"] == "RequiredEncryptionContext") {
      std::vector<std::string> required;
      for (const auto& [k, v] : options.reproduced_context) required.push_back(k);
      cmm = NewRequiredEncryptionContextCmm(*cmm, required);
      REQUIRE(cmm);
    } else {
      REQUIRE(t["cmm"] == "Default");
    }
    const auto ciphertext = testing::ReadFile(FromUri(dir, t["ciphertext"]));
    auto result = Decrypt(ciphertext, **cmm, options);
    REQUIRE(t["result"].contains("output"));
    const auto expected = testing::ReadFile(FromUri(dir, t["result"]["output"]["plaintext"]));
    if (expect_valid) {
      if (!result) CAPTURE(result.error().ToString());
      const bool ok = result && result->plaintext == expected;
      CHECK(ok);
      ok ? ++tally.decrypted : ++tally.failed;
    } else {
      const bool rejected = !result && result.error().code() == ErrorCode::auth_failed;
      if (result) CAPTURE(Text(result->plaintext).substr(0, 16));
      CHECK(rejected);
      rejected ? ++tally.rejected : ++tally.failed;
    }
  }
  for (const auto& name : skipped) std::printf("  skipped (needs AWS KMS): %s\n", name.c_str());
  std::printf("esdk %s: %d decrypted, %d rejected, %d skipped (AWS KMS), %d failed, %d total\n",
              set.c_str(), tally.decrypted, tally.rejected, tally.skipped_kms, tally.failed,
              tally.total());
  std::fflush(stdout);
  CHECK(tally.total() == static_cast<int>(manifest["tests"].size()));
  return tally;
}

TEST_CASE("ESDK vectors: v4-Net-4.0.1 decrypts every raw-key test") {
  const auto t = RunSet("v4-Net-4.0.1", true);
  CHECK(t.failed == 0);
  CHECK(t.decrypted == 99);
  CHECK(t.skipped_kms == 33);
}

TEST_CASE("ESDK vectors: valid-Net-4.0.0 decrypts all 5") {
  const auto t = RunSet("valid-Net-4.0.0", true);
  CHECK(t.failed == 0);
  CHECK(t.decrypted == 5);
}

TEST_CASE("ESDK vectors: invalid-Net-4.0.0 rejects all 28") {
  const auto t = RunSet("invalid-Net-4.0.0", false);
  CHECK(t.failed == 0);
  CHECK(t.rejected == 28);
}

}  // namespace
}  // namespace envelope
