// The KMS keyring over the local KMS: SSE-KMS and SSE-S3 round trips, key
// states surfacing through a message decrypt, rotation, and the EDK filter.
#include "envelope/kms_keyring.hpp"

#include <doctest/doctest.h>

#include <string>

#include "envelope/keyring.hpp"
#include "envelope/kms.hpp"
#include "kms_test_util.h"

namespace envelope::kms {
namespace {

using testing::Bytes;
using testing::FakeClock;
using testing::Options;
using testing::TempDir;

struct KmsFixture {
  TempDir tmp;
  FakeClock clock;
  std::shared_ptr<Kms> kms = std::make_shared<Kms>(*Kms::Open(Options(tmp.keystore(), clock)));
  std::shared_ptr<KmsClient> client = NewKmsClient(kms);
};

std::vector<uint8_t> Plain(std::string_view s) { return {s.begin(), s.end()}; }

const EncryptionContext kContext = {{"bucket", "photos"}, {"object", "cat.jpg"}};

TEST_CASE("KmsKeyring: round trip under a key id and an alias; the EDK records the key id") {
  KmsFixture f;
  auto key = f.kms->CreateKey();
  REQUIRE(key);
  REQUIRE(f.kms->CreateAlias("alias/app", key->key_id));
  for (const std::string& ref : {key->key_id, std::string("alias/app")}) {
    CAPTURE(ref);
    auto keyring = NewKmsKeyring(f.client, ref);
    REQUIRE(keyring);
    for (auto suite : {AlgorithmSuiteId::aes_256_gcm_hkdf_sha512_commit_key,
                       AlgorithmSuiteId::aes_256_gcm_hkdf_sha512_commit_key_ecdsa_p384}) {
      auto message = Encrypt(Plain("hello kms"), **keyring, {.suite = suite, .context = kContext});
      REQUIRE(message);
      auto out = Decrypt(*message, **keyring);
      REQUIRE(out);
      CHECK(out->plaintext == Plain("hello kms"));
      REQUIRE(out->header.encrypted_data_keys.size() == 1);
      const auto& edk = out->header.encrypted_data_keys[0];
      CHECK(edk.provider_id == "envelope-kms");
      CHECK(std::string(edk.provider_info.begin(), edk.provider_info.end()) == key->key_id);
      auto discovery = NewKmsDiscoveryKeyring(f.client);
      REQUIRE(discovery);
      CHECK(Decrypt(*message, **discovery));
    }
  }
}

TEST_CASE("KmsKeyring: the encryption context is bound into the KMS blob") {
  KmsFixture f;
  auto key = f.kms->CreateKey();
  auto keyring = *NewKmsKeyring(f.client, key->key_id);
  auto message = Encrypt(Plain("x"), *keyring, {.context = kContext});
  REQUIRE(message);
  // Decrypt the EDK directly with another context: the KMS refuses.
  auto info = Decrypt(*message, *keyring);
  REQUIRE(info);
  const auto& blob = info->header.encrypted_data_keys[0].ciphertext;
  CHECK(f.kms->Decrypt(blob, {{"bucket", "photos"}}).error().code() == ErrorCode::auth_failed);
  CHECK(f.kms->Decrypt(blob, kContext));
}

TEST_CASE("KmsKeyring: a keyring on another key finds no EDK; discovery cannot encrypt") {
  KmsFixture f;
  auto a = f.kms->CreateKey();
  auto b = f.kms->CreateKey();
  REQUIRE(f.kms->CreateAlias("alias/b", b->key_id));
  auto message = Encrypt(Plain("x"), **NewKmsKeyring(f.client, a->key_id));
  REQUIRE(message);
  for (const std::string& ref : {b->key_id, std::string("alias/b")}) {
    CAPTURE(ref);
    auto out = Decrypt(*message, **NewKmsKeyring(f.client, ref));
    REQUIRE_FALSE(out);
    CHECK(out.error().code() == ErrorCode::not_found);
  }
  auto discovery = *NewKmsDiscoveryKeyring(f.client);
  auto r = Encrypt(Plain("x"), *discovery);
  REQUIRE_FALSE(r);
  CHECK(r.error().code() == ErrorCode::invalid_argument);
  CHECK_FALSE(NewKmsKeyring(f.client, ""));
  CHECK_FALSE(NewKmsKeyring(nullptr, a->key_id));
}

TEST_CASE("KmsKeyring: an EDK whose recorded key id was swapped is refused") {
  KmsFixture f;
  auto a = f.kms->CreateKey();
  auto b = f.kms->CreateKey();
  auto message = Encrypt(Plain("x"), **NewKmsKeyring(f.client, a->key_id));
  REQUIRE(message);
  // Rewrite the provider info (same length) to name key b.
  auto it = std::search(message->begin(), message->end(), a->key_id.begin(), a->key_id.end());
  REQUIRE(it != message->end());
  std::copy(b->key_id.begin(), b->key_id.end(), it);
  auto out = Decrypt(*message, **NewKmsDiscoveryKeyring(f.client));
  REQUIRE_FALSE(out);
  // The KMS sees the blob was made by key a, not the b the EDK claims.
  CHECK(out.error().code() == ErrorCode::not_found);
}

TEST_CASE("KmsKeyring: disabled, pending-deletion and deleted keys keep their error codes") {
  KmsFixture f;
  auto key = f.kms->CreateKey();
  auto keyring = *NewKmsKeyring(f.client, key->key_id);
  auto message = Encrypt(Plain("secret"), *keyring, {.context = kContext});
  REQUIRE(message);

  REQUIRE(f.kms->DisableKey(key->key_id));
  auto disabled = Decrypt(*message, *keyring);
  REQUIRE_FALSE(disabled);
  CHECK(disabled.error().code() == ErrorCode::key_state);
  CHECK(disabled.error().message().find("DisabledException") != std::string::npos);
  CHECK(Encrypt(Plain("x"), *keyring).error().code() == ErrorCode::key_state);
  REQUIRE(f.kms->EnableKey(key->key_id));
  CHECK(Decrypt(*message, *keyring));

  REQUIRE(f.kms->ScheduleKeyDeletion(key->key_id, 7));
  auto pending = Decrypt(*message, *keyring);
  REQUIRE_FALSE(pending);
  CHECK(pending.error().code() == ErrorCode::key_state);
  CHECK(pending.error().message().find("KMSInvalidStateException") != std::string::npos);

  f.clock.AdvanceDays(8);
  auto deleted = Decrypt(*message, *NewKmsDiscoveryKeyring(f.client).value());
  REQUIRE_FALSE(deleted);
  CHECK(deleted.error().code() == ErrorCode::not_found);
  CHECK(deleted.error().message().find("NotFoundException") != std::string::npos);
}

TEST_CASE("KmsKeyring: messages from every version still decrypt after 5 rotations") {
  KmsFixture f;
  auto key = f.kms->CreateKey();
  auto keyring = *NewKmsKeyring(f.client, key->key_id);
  std::vector<std::vector<uint8_t>> messages;
  for (int i = 0; i <= 5; ++i) {
    if (i > 0) REQUIRE(f.kms->RotateKeyOnDemand(key->key_id));
    auto m = Encrypt(Plain("v" + std::to_string(i)), *keyring, {.context = kContext});
    REQUIRE(m);
    messages.push_back(std::move(*m));
  }
  CHECK(f.kms->DescribeKey(key->key_id)->current_version == 6);
  for (int i = 0; i <= 5; ++i) {
    auto out = Decrypt(messages[i], *keyring);
    REQUIRE(out);
    CHECK(out->plaintext == Plain("v" + std::to_string(i)));
  }
}

TEST_CASE("SseS3: the default key is created once and encrypts and decrypts") {
  KmsFixture f;
  CHECK(f.kms->ListKeys()->empty());
  auto first = NewSseS3Keyring(f.kms);
  REQUIRE(first);
  auto second = NewSseS3Keyring(f.kms);
  REQUIRE(second);
  auto keys = f.kms->ListKeys();
  REQUIRE(keys->size() == 1);
  CHECK((*keys)[0].rotation_enabled);
  auto aliases = f.kms->ListAliases();
  REQUIRE(aliases->size() == 1);
  CHECK((*aliases)[0].alias_name == kDefaultKeyAlias);
  CHECK((*aliases)[0].target_key_id == (*keys)[0].key_id);

  auto message = Encrypt(Plain("sse-s3"), **first, {.context = kContext});
  REQUIRE(message);
  auto out = Decrypt(*message, **second);
  REQUIRE(out);
  CHECK(out->plaintext == Plain("sse-s3"));
  const auto& info = out->header.encrypted_data_keys[0].provider_info;
  CHECK(std::string(info.begin(), info.end()) == (*keys)[0].key_id);
  CHECK_FALSE(NewSseS3Keyring(nullptr));
}

}  // namespace
}  // namespace envelope::kms
