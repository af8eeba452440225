// The passphrase keyring: round trips at the default and at test costs, the
// EDK layout, a wrong passphrase, the context binding, and the cost limits a
// hostile EDK runs into.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "envelope/keyring.hpp"
#include "envelope/message.hpp"
#include "envelope/passphrase.hpp"
#include "message/wire.h"

namespace envelope {
namespace {

std::vector<uint8_t> Bytes(std::string_view s) { return {s.begin(), s.end()}; }

// kCheap is the test cost: 1 pass over 64 KiB (never for real data).
const PassphraseOptions kCheap = {.passes = 1, .memory_kib = 64};

const std::vector<uint8_t> kPlain = Bytes("dear diary");
const EncryptionContext kContext = {{"purpose", "journal"}};

TEST_CASE("PassphraseKeyring: round trip at the default cost; EDK stores cost and salt") {
  auto keyring = NewPassphraseKeyring(Bytes("correct horse battery staple"));
  REQUIRE(keyring);
  auto message = Encrypt(kPlain, **keyring, {.context = kContext});
  REQUIRE(message);
  auto out = Decrypt(*message, **NewPassphraseKeyring(Bytes("correct horse battery staple")));
  REQUIRE(out);
  CHECK(out->plaintext == kPlain);
  const auto& edk = out->header.encrypted_data_keys.at(0);
  CHECK(edk.provider_id == "envelope-passphrase");
  REQUIRE(edk.provider_info.size() == 1 + 4 + 4 + 16 + 12);
  message::Reader r(edk.provider_info);
  CHECK(*r.U8() == 1);
  CHECK(*r.U32() == 3);
  CHECK(*r.U32() == 64 * 1024);
  CHECK(edk.ciphertext.size() == 48);
}

TEST_CASE("PassphraseKeyring: a wrong passphrase is a clear error") {
  auto message = Encrypt(kPlain, **NewPassphraseKeyring(Bytes("right"), kCheap));
  REQUIRE(message);
  auto out = Decrypt(*message, **NewPassphraseKeyring(Bytes("wrong"), kCheap));
  REQUIRE_FALSE(out);
  CHECK(out.error().code() == ErrorCode::auth_failed);
  CHECK(out.error().message() == kWrongPassphraseMessage);
  // The stored cost is used, whatever the decrypting keyring's own cost.
  CHECK(Decrypt(*message, **NewPassphraseKeyring(Bytes("right"))));
}

TEST_CASE("PassphraseKeyring: signed suite, context binding, fresh salt per EDK") {
  auto keyring = *NewPassphraseKeyring(Bytes("pw"), kCheap);
  auto message = Encrypt(kPlain, *keyring,
                         {.suite = AlgorithmSuiteId::aes_256_gcm_hkdf_sha512_commit_key_ecdsa_p384,
                          .context = kContext});
  REQUIRE(message);
  CHECK(Decrypt(*message, *keyring)->plaintext == kPlain);

  EncryptionMaterials a, b;
  a.context = b.context = kContext;
  REQUIRE(keyring->OnEncrypt(a));
  REQUIRE(keyring->OnEncrypt(b));
  CHECK(a.encrypted_data_keys[0].provider_info != b.encrypted_data_keys[0].provider_info);
  DecryptionMaterials dec;
  dec.context = {{"purpose", "other"}};
  auto r = keyring->OnDecrypt(dec, a.encrypted_data_keys);
  REQUIRE_FALSE(r);
  CHECK(r.error().code() == ErrorCode::auth_failed);
  dec.context = kContext;
  REQUIRE(keyring->OnDecrypt(dec, a.encrypted_data_keys));
  CHECK(dec.data_key.Equals(a.data_key));
}

TEST_CASE("PassphraseKeyring: a hostile cost in the EDK is refused before any derivation") {
  auto keyring = *NewPassphraseKeyring(Bytes("pw"), kCheap);
  EncryptionMaterials enc;
  REQUIRE(keyring->OnEncrypt(enc));
  auto edks = enc.encrypted_data_keys;
  // memory KiB field: bytes 5..8 of the provider info.
  message::PutUint(edks[0].provider_info.data() + 5, 4u * 1024 * 1024, 4);
  DecryptionMaterials dec;
  auto r = keyring->OnDecrypt(dec, edks);
  REQUIRE_FALSE(r);
  CHECK(r.error().code() == ErrorCode::limit_exceeded);
  // passes field: 200 is over every limit.
  edks = enc.encrypted_data_keys;
  message::PutUint(edks[0].provider_info.data() + 1, 200, 4);
  CHECK(keyring->OnDecrypt(dec, edks).error().code() == ErrorCode::limit_exceeded);
  // A lowered cost derives another key: the wrong-passphrase error.
  edks = enc.encrypted_data_keys;
  message::PutUint(edks[0].provider_info.data() + 5, 32, 4);
  CHECK(keyring->OnDecrypt(dec, edks).error().message() == kWrongPassphraseMessage);
}

TEST_CASE("PassphraseKeyring: bad options and no passphrase EDK") {
  CHECK(NewPassphraseKeyring({}).error().code() == ErrorCode::invalid_argument);
  CHECK_FALSE(NewPassphraseKeyring(Bytes("pw"), {.passes = 0, .memory_kib = 64}));
  CHECK_FALSE(NewPassphraseKeyring(Bytes("pw"), {.passes = 1, .memory_kib = 4}));
  CHECK_FALSE(NewPassphraseKeyring(Bytes("pw"), {.passes = 20, .memory_kib = 64}));
  auto aes = *NewRawAesKeyring("ns", "k", std::vector<uint8_t>(32, 1));
  auto message = Encrypt(kPlain, *aes);
  CHECK(Decrypt(*message, **NewPassphraseKeyring(Bytes("pw"), kCheap)).error().code() ==
        ErrorCode::not_found);
}

}  // namespace
}  // namespace envelope
