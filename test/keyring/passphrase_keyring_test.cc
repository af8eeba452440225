// The passphrase keyring: round trips at the default and at test costs, the
// EDK layout, a wrong passphrase, the context binding, and the cost limits a
// hostile EDK runs into.
#include <doctest/doctest.h>

#include <span>
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

TEST_CASE("PassphraseKeyring: 64 EDKs at the maximum cost are refused before any derivation") {
  // The first EDK is the right one, at the cheap cost; 63 copies claim the
  // per-EDK maximum (10 passes over 1 GiB, about 20 s each). Were any of
  // them derived before the budget check, this test would take minutes
  // and need 1 GiB; that the right EDK is not even tried shows the whole
  // message is refused up front.
  auto keyring = *NewPassphraseKeyring(Bytes("pw"), kCheap);
  EncryptionMaterials enc;
  REQUIRE(keyring->OnEncrypt(enc));
  std::vector<EncryptedDataKey> edks = enc.encrypted_data_keys;
  const PassphraseOptions defaults;
  for (int i = 0; i < 63; ++i) {
    EncryptedDataKey costly = enc.encrypted_data_keys[0];
    message::PutUint(costly.provider_info.data() + 1, defaults.max_passes, 4);
    message::PutUint(costly.provider_info.data() + 5, defaults.max_memory_kib, 4);
    edks.push_back(costly);
  }
  DecryptionMaterials dec;
  auto r = keyring->OnDecrypt(dec, edks);
  REQUIRE_FALSE(r);
  CHECK(r.error().code() == ErrorCode::limit_exceeded);
  CHECK(r.error().message().find("per-message budget") != std::string::npos);
  CHECK(dec.data_key.empty());
  // The right EDK alone is within every limit.
  REQUIRE(keyring->OnDecrypt(dec, std::span(edks).first(1)));
  CHECK(dec.data_key.Equals(enc.data_key));
}

TEST_CASE("PassphraseKeyring: the per-message budget counts every EDK, memory x passes") {
  // A budget of three cheap EDKs (1 pass x 64 KiB each).
  PassphraseOptions options = kCheap;
  options.max_message_cost = PassphraseCost(kCheap.passes, kCheap.memory_kib) * 3;
  auto keyring = *NewPassphraseKeyring(Bytes("pw"), options);
  auto other = *NewPassphraseKeyring(Bytes("another passphrase"), kCheap);
  EncryptionMaterials enc;
  REQUIRE(keyring->OnEncrypt(enc));
  std::vector<EncryptedDataKey> edks;
  for (int i = 0; i < 2; ++i) {
    EncryptionMaterials foreign;
    foreign.data_key = SecretBytes::CopyFrom(enc.data_key.span()).value();
    REQUIRE(other->OnEncrypt(foreign));
    edks.push_back(foreign.encrypted_data_keys[0]);
  }
  edks.push_back(enc.encrypted_data_keys[0]);  // ours comes last, and is found
  DecryptionMaterials dec;
  REQUIRE(keyring->OnDecrypt(dec, edks));
  CHECK(dec.data_key.Equals(enc.data_key));
  // One EDK more is over the budget, even though ours is among them.
  edks.insert(edks.begin(), edks[0]);
  DecryptionMaterials again;
  auto r = keyring->OnDecrypt(again, edks);
  REQUIRE_FALSE(r);
  CHECK(r.error().code() == ErrorCode::limit_exceeded);
  // EDKs of other keyrings and EDKs over the per-EDK maxima do not count.
  edks.erase(edks.begin());
  EncryptedDataKey huge = edks[0];
  message::PutUint(huge.provider_info.data() + 1, 200, 4);
  edks.push_back(huge);
  EncryptedDataKey foreign_provider = edks[0];
  foreign_provider.provider_id = "someone-else";
  edks.push_back(foreign_provider);
  DecryptionMaterials third;
  REQUIRE(keyring->OnDecrypt(third, edks));
  // A keyring whose own cost is over its budget could not read its messages.
  PassphraseOptions tight = kCheap;
  tight.max_message_cost = PassphraseCost(kCheap.passes, kCheap.memory_kib) - 1;
  CHECK(NewPassphraseKeyring(Bytes("pw"), tight).error().code() == ErrorCode::invalid_argument);
}

TEST_CASE("PassphraseKeyring: bad options and no passphrase EDK") {
  CHECK(NewPassphraseKeyring(std::span<const uint8_t>()).error().code() ==
        ErrorCode::invalid_argument);
  CHECK(NewPassphraseKeyring(std::string_view()).error().code() == ErrorCode::invalid_argument);
  CHECK_FALSE(NewPassphraseKeyring(Bytes("pw"), {.passes = 0, .memory_kib = 64}));
  CHECK_FALSE(NewPassphraseKeyring(Bytes("pw"), {.passes = 1, .memory_kib = 4}));
  CHECK_FALSE(NewPassphraseKeyring(Bytes("pw"), {.passes = 20, .memory_kib = 64}));
  auto aes = *NewRawAesKeyring("ns", "k", KeyView(std::vector<uint8_t>(32, 1)));
  auto message = Encrypt(kPlain, *aes);
  CHECK(Decrypt(*message, **NewPassphraseKeyring(Bytes("pw"), kCheap)).error().code() ==
        ErrorCode::not_found);
}

}  // namespace
}  // namespace envelope
