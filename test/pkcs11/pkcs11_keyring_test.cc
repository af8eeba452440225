// The PKCS#11 keyring against a real SoftHSM2 token: round trips with both
// mechanisms, the EDK it writes, every way of not getting a key (wrong PIN,
// missing token or key, ambiguous label, wrong size, missing rights), and
// the cross-keyring case with raw AES.
#include "keyring/pkcs11_keyring.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "envelope/keyring.hpp"
#include "envelope/message.hpp"
#include "envelope/pkcs11.hpp"
#include "pkcs11/softhsm.h"

namespace envelope {
namespace {

using testing::SoftHsm;

std::vector<uint8_t> Bytes(std::string_view s) { return {s.begin(), s.end()}; }
std::string Text(std::span<const uint8_t> b) { return {b.begin(), b.end()}; }

const std::vector<uint8_t> kPlain = Bytes("the wrapping key never leaves the token");

EncryptOptions WithContext() {
  EncryptOptions options;
  options.context = {{"tenant", "acme"}, {"purpose", "pkcs11-test"}};
  return options;
}

TEST_CASE("Pkcs11Keyring: aes-gcm round trip; the EDK names token, key and mechanism") {
  auto& hsm = SoftHsm::Get();
  auto keyring = hsm.NewKeyring(testing::kKeyFull);
  const auto* impl = dynamic_cast<const keyring::pkcs11::Pkcs11Keyring*>(keyring.get());
  REQUIRE(impl != nullptr);
  // SoftHSM2 2.6 offers CKM_AES_GCM, so automatic picks it.
  CHECK(impl->mechanism() == Pkcs11Mechanism::aes_gcm);
  auto message = Encrypt(kPlain, *keyring, WithContext());
  REQUIRE(message);
  auto result = Decrypt(*message, *keyring);
  REQUIRE(result);
  CHECK(result->plaintext == kPlain);
  REQUIRE(result->header.encrypted_data_keys.size() == 1);
  const auto& edk = result->header.encrypted_data_keys[0];
  CHECK(edk.provider_id == "envelope-pkcs11");
  CHECK(Text(edk.provider_info) ==
        "pkcs11:token=envelope-test;object=wrap-main;id=%01;type=secret-key?x-mechanism=aes-gcm");
  CHECK(edk.ciphertext.size() == 12 + 32 + 16);
  // The provider info is a URI this library parses back to the key.
  auto uri = ParsePkcs11Uri(Text(edk.provider_info));
  REQUIRE(uri);
  CHECK(uri->token == "envelope-test");
  CHECK(uri->object == "wrap-main");
  CHECK(uri->id == std::vector<uint8_t>{1});
}

TEST_CASE("Pkcs11Keyring: aes-kwp round trip; a keyring of the same key reads both mechanisms") {
  auto& hsm = SoftHsm::Get();
  auto kwp = hsm.NewKeyring(testing::kKeyFull, Pkcs11Mechanism::aes_key_wrap_pad);
  auto gcm = hsm.NewKeyring(testing::kKeyFull, Pkcs11Mechanism::aes_gcm);
  auto message = Encrypt(kPlain, *kwp, WithContext());
  REQUIRE(message);
  auto info = InspectMessage(*std::make_unique<MemorySource>(*message));
  REQUIRE(info);
  const auto& edk = info->header.encrypted_data_keys.at(0);
  CHECK(Text(edk.provider_info).ends_with("?x-mechanism=aes-kwp"));
  CHECK(edk.ciphertext.size() == 40);  // RFC 5649: 32 bytes + 8
  for (const auto* reader : {kwp.get(), gcm.get()}) {
    auto result = Decrypt(*message, *reader);
    REQUIRE(result);
    CHECK(result->plaintext == kPlain);
  }
  auto from_gcm = Encrypt(kPlain, *gcm);
  REQUIRE(from_gcm);
  CHECK(Decrypt(*from_gcm, *kwp));
}

TEST_CASE("Pkcs11Keyring: another key, a tampered EDK or a changed context fail to unwrap") {
  auto& hsm = SoftHsm::Get();
  auto keyring = hsm.NewKeyring(testing::kKeyFull);
  auto message = Encrypt(kPlain, *keyring, WithContext());
  REQUIRE(message);

  SUBCASE("another key of the token is not addressed") {
    auto other = Decrypt(*message, *hsm.NewKeyring(testing::kKeyOther));
    REQUIRE_FALSE(other);
    CHECK(other.error().code() == ErrorCode::not_found);
    CHECK(other.error().message().find("envelope-pkcs11") != std::string::npos);
  }
  SUBCASE("a flipped bit in an aes-kwp wrapped key") {
    auto kwp = hsm.NewKeyring(testing::kKeyFull, Pkcs11Mechanism::aes_key_wrap_pad);
    auto kwp_message = Encrypt(kPlain, *kwp);
    REQUIRE(kwp_message);
    auto info = InspectMessage(*std::make_unique<MemorySource>(*kwp_message));
    REQUIRE(info);
    const auto& wrapped = info->header.encrypted_data_keys.at(0).ciphertext;
    auto pos =
        std::search(kwp_message->begin(), kwp_message->end(), wrapped.begin(), wrapped.end());
    REQUIRE(pos != kwp_message->end());
    pos[5] ^= 0x80;
    auto r = Decrypt(*kwp_message, *kwp);
    REQUIRE_FALSE(r);
    CAPTURE(r.error().ToString());
    CHECK(r.error().code() == ErrorCode::auth_failed);
  }
  SUBCASE("a flipped bit in the wrapped key") {
    auto info = InspectMessage(*std::make_unique<MemorySource>(*message));
    REQUIRE(info);
    const auto& wrapped = info->header.encrypted_data_keys.at(0).ciphertext;
    auto pos = std::search(message->begin(), message->end(), wrapped.begin(), wrapped.end());
    REQUIRE(pos != message->end());
    pos[20] ^= 0x01;
    auto r = Decrypt(*message, *keyring);
    REQUIRE_FALSE(r);
    CAPTURE(r.error().ToString());
    CHECK(r.error().code() == ErrorCode::auth_failed);
  }
  SUBCASE("a changed context value: the EDK's AAD no longer matches") {
    const auto value = Bytes("acme");
    auto pos = std::search(message->begin(), message->end(), value.begin(), value.end());
    REQUIRE(pos != message->end());
    *pos = 'x';
    auto r = Decrypt(*message, *keyring);
    REQUIRE_FALSE(r);
    CAPTURE(r.error().ToString());
    CHECK(r.error().code() == ErrorCode::auth_failed);
  }
}

TEST_CASE("Pkcs11Keyring: at most 4 token operations per message, then a limit error") {
  auto& hsm = SoftHsm::Get();
  auto keyring = hsm.NewKeyring(testing::kKeyFull);
  // A failed unwrap discards its session; closing the last session of the
  // token logs out, and SoftHSM2 then no longer knows the key's handle
  // (a separate problem, see the report). A second keyring keeps a session.
  auto keeper = hsm.NewKeyring(testing::kKeyFull);
  REQUIRE(Encrypt(kPlain, *keeper));
  EncryptionMaterials enc;
  REQUIRE(keyring->OnEncrypt(enc));
  // 64 EDKs addressed to our key that do not unwrap, then the right one:
  // the keyring gives up after 4 attempts instead of asking the HSM 65 times.
  std::vector<EncryptedDataKey> edks;
  for (int i = 0; i < 64; ++i) {
    EncryptedDataKey bad = enc.encrypted_data_keys[0];
    bad.ciphertext[20] ^= 0x01;
    edks.push_back(bad);
  }
  edks.push_back(enc.encrypted_data_keys[0]);
  DecryptionMaterials dec;
  auto r = keyring->OnDecrypt(dec, edks);
  REQUIRE_FALSE(r);
  const std::string error = r.error().ToString();
  CAPTURE(error);
  CHECK(r.error().code() == ErrorCode::limit_exceeded);
  CHECK(r.error().message().find("more than 4 data keys") != std::string::npos);
  // Within the bound, the right EDK is found after the bad ones.
  std::vector<EncryptedDataKey> few(edks.begin(), edks.begin() + 3);
  few.push_back(enc.encrypted_data_keys[0]);
  DecryptionMaterials ok;
  REQUIRE(keyring->OnDecrypt(ok, few));
  CHECK(ok.data_key.Equals(enc.data_key));
}

TEST_CASE("Pkcs11Keyring: wrong PIN fails with a clear error that holds no PIN") {
  auto& hsm = SoftHsm::Get();
  auto r = NewPkcs11Keyring(hsm.Options(testing::kKeyFull), hsm.WrongPin());
  REQUIRE_FALSE(r);
  CHECK(r.error().code() == ErrorCode::auth_failed);
  CHECK(r.error().message() == "pkcs11: login failed: wrong PIN (CKR_PIN_INCORRECT)");
  CHECK(r.error().message().find("4711") == std::string::npos);
  // While another keyring keeps the process logged in the token skips the
  // check; the keyring does not.
  auto logged_in = hsm.NewKeyring(testing::kKeyFull);
  auto again = NewPkcs11Keyring(hsm.Options(testing::kKeyFull), hsm.WrongPin());
  REQUIRE_FALSE(again);
  CHECK(again.error().code() == ErrorCode::auth_failed);
  CHECK(NewPkcs11Keyring(hsm.Options(testing::kKeyFull), hsm.Pin()));
  CHECK_FALSE(NewPkcs11Keyring(hsm.Options(testing::kKeyFull), SecretBytes()));
}

TEST_CASE("Pkcs11Keyring: missing module, token or key, and ambiguous or unfit keys") {
  auto& hsm = SoftHsm::Get();
  auto expect = [&](Pkcs11KeyringOptions options, ErrorCode code, std::string_view text) {
    auto r = NewPkcs11Keyring(options, hsm.Pin());
    REQUIRE_FALSE(r);
    CAPTURE(r.error().ToString());
    CHECK(r.error().code() == code);
    CHECK(r.error().message().find(text) != std::string::npos);
  };
  auto options = hsm.Options(testing::kKeyFull);
  options.module_path = "/nonexistent/libpkcs11.so";
  expect(options, ErrorCode::io, "cannot load module");
  options.module_path = "/usr/lib/x86_64-linux-gnu/libc.so.6";
  if (std::filesystem::exists(options.module_path)) {
    expect(options, ErrorCode::io, "not a PKCS#11 module");
  }
  options = hsm.Options(testing::kKeyFull);
  options.token_label = "no-such-token";
  expect(options, ErrorCode::not_found, "no token labelled 'no-such-token'");
  expect(hsm.Options("no-such-key"), ErrorCode::not_found, "no AES key 'object=no-such-key'");
  options = hsm.Options("");
  options.key_id = {0x09};
  expect(options, ErrorCode::not_found, "no AES key 'id=%09'");
  expect(hsm.Options(testing::kKeyTwice), ErrorCode::invalid_argument, "2 AES keys match");
  options = hsm.Options(testing::kKeyTwice);
  options.key_id = {0x06};
  CHECK(NewPkcs11Keyring(options, hsm.Pin()));  // label and id pick one
  expect(hsm.Options(testing::kKeyAes128), ErrorCode::key_state, "is AES-128, not AES-256");
  expect(hsm.Options(testing::kKeyNoRights), ErrorCode::key_state,
         "may neither encrypt/decrypt nor wrap/unwrap");
  expect(hsm.Options(""), ErrorCode::invalid_argument, "name the key");
}

TEST_CASE("Pkcs11Keyring: a key without CKA_ENCRYPT/CKA_WRAP cannot encrypt; nothing changes") {
  auto& hsm = SoftHsm::Get();
  for (auto mechanism : {Pkcs11Mechanism::aes_gcm, Pkcs11Mechanism::aes_key_wrap_pad}) {
    auto keyring = hsm.NewKeyring(testing::kKeyDecryptOnly, mechanism);
    EncryptionMaterials materials;
    materials.context = {{"a", "b"}};
    auto r = keyring->OnEncrypt(materials);
    REQUIRE_FALSE(r);
    CHECK(r.error().code() == ErrorCode::key_state);
    CHECK(r.error().message().find(mechanism == Pkcs11Mechanism::aes_gcm
                                       ? "CKA_ENCRYPT"
                                       : "CKA_WRAP") != std::string::npos);
    CHECK(materials.data_key.empty());
    CHECK(materials.encrypted_data_keys.empty());
  }
}

TEST_CASE("Pkcs11Keyring: a multi-keyring message (raw AES + PKCS#11) decrypts with either") {
  auto& hsm = SoftHsm::Get();
  auto hsm_keyring = hsm.NewKeyring(testing::kKeyFull);
  auto raw = NewRawAesKeyring("local", "backup", KeyView(std::vector<uint8_t>(32, 0x5a)));
  REQUIRE(raw);
  for (bool hsm_generates : {false, true}) {
    CAPTURE(hsm_generates);
    auto multi =
        hsm_generates ? NewMultiKeyring(hsm_keyring, {*raw}) : NewMultiKeyring(*raw, {hsm_keyring});
    REQUIRE(multi);
    auto message = Encrypt(kPlain, **multi, WithContext());
    REQUIRE(message);
    for (const Keyring* reader : {raw->get(), hsm_keyring.get(), multi->get()}) {
      auto result = Decrypt(*message, *reader);
      REQUIRE(result);
      CHECK(result->plaintext == kPlain);
      CHECK(result->header.encrypted_data_keys.size() == 2);
    }
  }
}

}  // namespace
}  // namespace envelope
