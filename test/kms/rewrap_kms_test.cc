// Rewrap with KMS keys: moving a message from one KMS key to another, and
// to the newest version of its key after rotations with ReEncrypt.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>

#include "envelope/customer_key.hpp"
#include "envelope/keyring.hpp"
#include "envelope/kms.hpp"
#include "envelope/kms_keyring.hpp"
#include "envelope/rewrap.hpp"
#include "kms_test_util.h"

namespace envelope::kms {
namespace {

using testing::FakeClock;
using testing::Options;
using testing::ReadBytes;
using testing::TempDir;
using testing::WriteBytes;

const EncryptionContext kContext = {{"bucket", "photos"}};

std::vector<uint8_t> Pattern(size_t n) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(i * 7 + 3);
  return v;
}

struct Fixture {
  TempDir tmp;
  FakeClock clock;
  std::shared_ptr<Kms> kms = std::make_shared<Kms>(*Kms::Open(Options(tmp.keystore(), clock)));
  std::shared_ptr<KmsClient> client = NewKmsClient(kms);
  std::string file = tmp.path() + "/message";
};

// BlobVersion returns the key version of the message's first KMS EDK.
uint32_t BlobVersion(Fixture& f, const std::vector<uint8_t>& message) {
  auto info = Decrypt(message, **NewKmsDiscoveryKeyring(f.client));
  REQUIRE(info);
  const auto& edk = info->header.encrypted_data_keys.at(0);
  auto pt = f.kms->Decrypt(edk.ciphertext, info->header.context);
  REQUIRE(pt);
  return pt->key_version;
}

TEST_CASE("Rewrap: from one KMS key to another; the old key no longer opens it") {
  Fixture f;
  auto a = f.kms->CreateKey();
  auto b = f.kms->CreateKey();
  auto ka = *NewKmsKeyring(f.client, a->key_id);
  auto kb = *NewKmsKeyring(f.client, b->key_id);
  const auto plain = Pattern(70000);
  auto message = Encrypt(plain, *ka, {.context = kContext, .frame_length = 1024});
  REQUIRE(message);
  WriteBytes(f.file, *message);
  auto result = RewrapMessage(f.file, f.file, *ka, *kb);
  REQUIRE(result);
  const auto out = ReadBytes(f.file);
  CHECK(Decrypt(out, *kb)->plaintext == plain);
  CHECK(Decrypt(out, *ka).error().code() == ErrorCode::not_found);
  const size_t old_header = message->size() - result->body_bytes;
  CHECK(std::equal(message->begin() + old_header, message->end(),
                   out.begin() + result->header.header_size));
  // A disabled source key stops the rewrap with its own error; nothing changes.
  REQUIRE(f.kms->DisableKey(b->key_id));
  auto refused = RewrapMessage(f.file, f.file, *kb, *ka);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code() == ErrorCode::key_state);
  CHECK(ReadBytes(f.file) == out);
}

TEST_CASE("Rewrap: to the newest key version after rotations, with ReEncrypt") {
  Fixture f;
  auto key = f.kms->CreateKey();
  auto keyring = *NewKmsKeyring(f.client, key->key_id);
  auto ssec = *NewCustomerKeyKeyring(KeyView(std::vector<uint8_t>(32, 1)));
  auto multi = *NewMultiKeyring(keyring, {ssec});
  const auto plain = Pattern(30000);
  auto message = Encrypt(plain, *multi, {.context = kContext, .frame_length = 4096});
  REQUIRE(message);
  WriteBytes(f.file, *message);
  CHECK(BlobVersion(f, *message) == 1);
  for (int i = 0; i < 5; ++i) REQUIRE(f.kms->RotateKeyOnDemand(key->key_id));
  CHECK(Decrypt(*message, *keyring)->plaintext == plain);  // old version still opens

  auto result = RewrapToNewestVersion(f.kms, f.file, f.file);
  REQUIRE(result);
  const auto out = ReadBytes(f.file);
  CHECK(BlobVersion(f, out) == 6);
  CHECK(Decrypt(out, *keyring)->plaintext == plain);
  CHECK(Decrypt(out, *ssec)->plaintext == plain);  // the SSE-C EDK was kept
  CHECK(result->header.encrypted_data_keys.at(1) ==
        Decrypt(*message, *ssec)->header.encrypted_data_keys.at(1));
  const auto audit = testing::ReadText(f.kms->directory() + "/audit.log");
  CHECK(audit.find("ReEncrypt") != std::string::npos);
}

TEST_CASE("Rewrap: newest version of a signed message; refusals") {
  Fixture f;
  auto key = f.kms->CreateKey();
  auto keyring = *NewKmsKeyring(f.client, key->key_id);
  const auto plain = Pattern(10000);
  const auto suite = AlgorithmSuiteId::aes_256_gcm_hkdf_sha512_commit_key_ecdsa_p384;
  auto message = Encrypt(plain, *keyring, {.suite = suite, .context = kContext});
  REQUIRE(message);
  WriteBytes(f.file, *message);
  REQUIRE(f.kms->RotateKeyOnDemand(key->key_id));
  auto result = RewrapToNewestVersion(f.kms, f.file, f.file);
  REQUIRE(result);
  CHECK(result->resigned);
  const auto out = ReadBytes(f.file);
  CHECK(BlobVersion(f, out) == 2);
  CHECK(Decrypt(out, *keyring)->plaintext == plain);

  // A signed message with an SSE-C recipient cannot keep that EDK.
  auto multi =
      *NewMultiKeyring(keyring, {*NewCustomerKeyKeyring(KeyView(std::vector<uint8_t>(32, 2)))});
  auto both = Encrypt(plain, *multi, {.suite = suite, .context = kContext});
  WriteBytes(f.file, *both);
  auto refused = RewrapToNewestVersion(f.kms, f.file, f.file);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code() == ErrorCode::unsupported);
  CHECK(ReadBytes(f.file) == *both);
  // No KMS EDK at all.
  auto only_ssec = Encrypt(plain, **NewCustomerKeyKeyring(KeyView(std::vector<uint8_t>(32, 2))));
  WriteBytes(f.file, *only_ssec);
  CHECK(RewrapToNewestVersion(f.kms, f.file, f.file).error().code() == ErrorCode::not_found);
  CHECK_FALSE(RewrapToNewestVersion(nullptr, f.file, f.file));
}

}  // namespace
}  // namespace envelope::kms
