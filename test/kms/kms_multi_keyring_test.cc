// A multi-keyring of the KMS keyring (generator) and an SSE-C keyring: each
// decrypts alone, a KMS key state does not hide the SSE-C path, and a wrong
// customer key keeps its distinct message.
#include <doctest/doctest.h>

#include <string>

#include "envelope/customer_key.hpp"
#include "envelope/keyring.hpp"
#include "envelope/kms.hpp"
#include "envelope/kms_keyring.hpp"
#include "kms_test_util.h"

namespace envelope::kms {
namespace {

using testing::FakeClock;
using testing::Options;
using testing::TempDir;

TEST_CASE("KMS + SSE-C multi-keyring: either recipient decrypts; errors keep their meaning") {
  TempDir tmp;
  FakeClock clock;
  auto kms = std::make_shared<Kms>(*Kms::Open(Options(tmp.keystore(), clock)));
  auto client = NewKmsClient(kms);
  auto key = kms->CreateKey();
  REQUIRE(key);
  const std::vector<uint8_t> customer_key(32, 0x5a);
  auto kms_keyring = *NewKmsKeyring(client, key->key_id);
  auto ssec = *NewCustomerKeyKeyring(KeyView(customer_key));
  auto multi = *NewMultiKeyring(kms_keyring, {ssec});
  const std::vector<uint8_t> plain = {'m', 'u', 'l', 't', 'i'};
  const EncryptionContext context = {{"bucket", "b"}};
  for (auto suite : {AlgorithmSuiteId::aes_256_gcm_hkdf_sha512_commit_key,
                     AlgorithmSuiteId::aes_256_gcm_hkdf_sha512_commit_key_ecdsa_p384}) {
    auto message = Encrypt(plain, *multi, {.suite = suite, .context = context});
    REQUIRE(message);
    auto out = Decrypt(*message, *multi);
    REQUIRE(out);
    REQUIRE(out->header.encrypted_data_keys.size() == 2);
    CHECK(out->header.encrypted_data_keys[0].provider_id == "envelope-kms");
    CHECK(out->header.encrypted_data_keys[1].provider_id == "envelope-sse-c");
    CHECK(Decrypt(*message, *kms_keyring)->plaintext == plain);
    CHECK(Decrypt(*message, *ssec)->plaintext == plain);

    REQUIRE(kms->DisableKey(key->key_id));
    CHECK(Decrypt(*message, *kms_keyring).error().code() == ErrorCode::key_state);
    CHECK(Decrypt(*message, *multi)->plaintext == plain);  // through SSE-C
    auto wrong =
        *NewMultiKeyring(kms_keyring, {*NewCustomerKeyKeyring(KeyView(std::vector<uint8_t>(32)))});
    auto r = Decrypt(*message, *wrong);
    REQUIRE_FALSE(r);
    CHECK(r.error().message() == kCustomerKeyMismatchMessage);
    REQUIRE(kms->EnableKey(key->key_id));
  }
}

}  // namespace
}  // namespace envelope::kms
