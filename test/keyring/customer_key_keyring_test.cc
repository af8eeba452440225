// The SSE-C keyring: round trips, the EDK layout, a wrong key told apart
// from an altered message, the key never in the output, the S3 key-MD5
// check, key parsing, and SSE-C inside a multi-keyring.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "envelope/customer_key.hpp"
#include "envelope/keyring.hpp"
#include "envelope/message.hpp"

namespace envelope {
namespace {

std::vector<uint8_t> Bytes(std::string_view s) { return {s.begin(), s.end()}; }

std::vector<uint8_t> Key(uint8_t seed) {
  std::vector<uint8_t> k(32);
  for (size_t i = 0; i < k.size(); ++i) k[i] = static_cast<uint8_t>(seed * 31 + i * 7 + 1);
  return k;
}

bool Contains(std::span<const uint8_t> haystack, std::span<const uint8_t> needle) {
  return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end()) !=
         haystack.end();
}

const std::vector<uint8_t> kPlain = Bytes("customer data, customer key");
const EncryptionContext kContext = {{"bucket", "b"}, {"object", "o"}};

TEST_CASE("CustomerKeyKeyring: round trip in both suites; the EDK has the documented layout") {
  auto keyring = NewCustomerKeyKeyring(KeyView(Key(1)));
  REQUIRE(keyring);
  for (auto suite : {AlgorithmSuiteId::aes_256_gcm_hkdf_sha512_commit_key,
                     AlgorithmSuiteId::aes_256_gcm_hkdf_sha512_commit_key_ecdsa_p384}) {
    auto message = Encrypt(kPlain, **keyring, {.suite = suite, .context = kContext});
    REQUIRE(message);
    auto out = Decrypt(*message, **NewCustomerKeyKeyring(KeyView(Key(1))));
    REQUIRE(out);
    CHECK(out->plaintext == kPlain);
    REQUIRE(out->header.encrypted_data_keys.size() == 1);
    const auto& edk = out->header.encrypted_data_keys[0];
    CHECK(edk.provider_id == "envelope-sse-c");
    CHECK(edk.provider_info.size() == 1 + 32 + 32 + 12);
    CHECK(edk.provider_info[0] == 1);
    CHECK(edk.ciphertext.size() == 48);
  }
}

TEST_CASE("CustomerKeyKeyring: a wrong key says the customer key does not match") {
  auto message = Encrypt(kPlain, **NewCustomerKeyKeyring(KeyView(Key(1))), {.context = kContext});
  REQUIRE(message);
  auto out = Decrypt(*message, **NewCustomerKeyKeyring(KeyView(Key(2))));
  REQUIRE_FALSE(out);
  CHECK(out.error().code() == ErrorCode::auth_failed);
  CHECK(out.error().message() == kCustomerKeyMismatchMessage);
  CHECK(out.error().message().find("does not match") != std::string::npos);
}

TEST_CASE("CustomerKeyKeyring: an altered wrapped key is the generic failure, not a mismatch") {
  auto keyring = *NewCustomerKeyKeyring(KeyView(Key(1)));
  auto message = Encrypt(kPlain, *keyring, {.context = kContext});
  REQUIRE(message);
  auto header = Decrypt(*message, *keyring)->header;
  const auto& edk = header.encrypted_data_keys[0];
  SUBCASE("wrapped data key") {
    auto it =
        std::search(message->begin(), message->end(), edk.ciphertext.begin(), edk.ciphertext.end());
    REQUIRE(it != message->end());
    it[5] ^= 0x01;
    auto out = Decrypt(*message, *keyring);
    REQUIRE_FALSE(out);
    CHECK(out.error().code() == ErrorCode::auth_failed);
    CHECK(out.error().message() != kCustomerKeyMismatchMessage);
  }
  SUBCASE("IV") {
    auto it = std::search(message->begin(), message->end(), edk.provider_info.begin(),
                          edk.provider_info.end());
    REQUIRE(it != message->end());
    it[1 + 32 + 32] ^= 0x80;
    auto out = Decrypt(*message, *keyring);
    REQUIRE_FALSE(out);
    CHECK(out.error().message() != kCustomerKeyMismatchMessage);
  }
  SUBCASE("fingerprint") {
    auto it = std::search(message->begin(), message->end(), edk.provider_info.begin(),
                          edk.provider_info.end());
    REQUIRE(it != message->end());
    it[1 + 32] ^= 0x01;
    auto out = Decrypt(*message, *keyring);
    REQUIRE_FALSE(out);
    CHECK(out.error().message() == kCustomerKeyMismatchMessage);
  }
}

TEST_CASE("CustomerKeyKeyring: the wrap binds the encryption context") {
  auto keyring = *NewCustomerKeyKeyring(KeyView(Key(1)));
  EncryptionMaterials enc;
  enc.context = kContext;
  REQUIRE(keyring->OnEncrypt(enc));
  DecryptionMaterials dec;
  dec.context = {{"bucket", "b"}, {"object", "other"}};
  auto r = keyring->OnDecrypt(dec, enc.encrypted_data_keys);
  REQUIRE_FALSE(r);
  CHECK(r.error().code() == ErrorCode::auth_failed);
  CHECK(r.error().message() != kCustomerKeyMismatchMessage);
  dec.context = kContext;
  REQUIRE(keyring->OnDecrypt(dec, enc.encrypted_data_keys));
  CHECK(dec.data_key.Equals(enc.data_key));
}

TEST_CASE("CustomerKeyKeyring: the customer key and its MD5 never appear in the message") {
  const auto key = Key(3);
  auto message = Encrypt(kPlain, **NewCustomerKeyKeyring(KeyView(key)), {.context = kContext});
  REQUIRE(message);
  CHECK_FALSE(Contains(*message, key));
  for (size_t i = 0; i + 8 <= key.size(); i += 4) {
    CHECK_FALSE(Contains(*message, std::span(key).subspan(i, 8)));
  }
  const std::string md5 = *CustomerKeyMd5(KeyView(key));
  CHECK_FALSE(Contains(*message, Bytes(md5)));
  // Two messages under the same key carry different fingerprints (salted).
  auto second = Encrypt(kPlain, **NewCustomerKeyKeyring(KeyView(key)), {.context = kContext});
  auto a = Decrypt(*message, **NewCustomerKeyKeyring(KeyView(key)))->header.encrypted_data_keys[0];
  auto b = Decrypt(*second, **NewCustomerKeyKeyring(KeyView(key)))->header.encrypted_data_keys[0];
  CHECK(a.provider_info != b.provider_info);
}

TEST_CASE("CustomerKeyKeyring: S3 key-MD5 check") {
  // base64(MD5(32 zero bytes)), computed independently with Python's hashlib.
  const std::vector<uint8_t> zero(32, 0);
  CHECK(*CustomerKeyMd5(KeyView(zero)) == "cLyPS3KoaSFGi/joRB3OUQ==");
  CHECK(NewCustomerKeyKeyring(KeyView(zero), {.key_md5 = "cLyPS3KoaSFGi/joRB3OUQ=="}));
  auto bad = NewCustomerKeyKeyring(KeyView(Key(1)), {.key_md5 = "cLyPS3KoaSFGi/joRB3OUQ=="});
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code() == ErrorCode::invalid_argument);
  CHECK(bad.error().message().find("md5 does not match") != std::string::npos);
  CHECK_FALSE(NewCustomerKeyKeyring(KeyView(zero), {.key_md5 = "garbage"}));
  CHECK_FALSE(CustomerKeyMd5(KeyView(std::vector<uint8_t>(31))));
}

TEST_CASE("CustomerKeyKeyring: key sizes and ParseCustomerKey") {
  CHECK(NewCustomerKeyKeyring(KeyView(std::vector<uint8_t>(31))).error().code() ==
        ErrorCode::invalid_argument);
  CHECK_FALSE(NewCustomerKeyKeyring(KeyView(std::vector<uint8_t>(33))));
  CHECK_FALSE(NewCustomerKeyKeyring(KeyView()));

  const auto key = Key(4);
  auto raw = ParseCustomerKey(key);
  REQUIRE(raw);
  CHECK(std::equal(key.begin(), key.end(), raw->data()));
  // base64 of Key(4), with and without a newline.
  std::string text;
  {
    static const char* kAlphabet =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (size_t i = 0; i < key.size(); i += 3) {
      uint32_t v = key[i] << 16 | (i + 1 < key.size() ? key[i + 1] << 8 : 0) |
                   (i + 2 < key.size() ? key[i + 2] : 0);
      text += kAlphabet[v >> 18 & 63];
      text += kAlphabet[v >> 12 & 63];
      text += i + 1 < key.size() ? kAlphabet[v >> 6 & 63] : '=';
      text += i + 2 < key.size() ? kAlphabet[v & 63] : '=';
    }
  }
  REQUIRE(text.size() == 44);
  for (const std::string& spelling : {text, text + "\n", text + "\r\n"}) {
    auto parsed = ParseCustomerKey(Bytes(spelling));
    REQUIRE(parsed);
    CHECK(std::equal(key.begin(), key.end(), parsed->data()));
  }
  for (const std::string& bad : {std::string(""), text.substr(0, 43), text + "\n\n",
                                 std::string(44, '*'), std::string(31, 'a')}) {
    auto parsed = ParseCustomerKey(Bytes(bad));
    REQUIRE_FALSE(parsed);
    CHECK(parsed.error().code() == ErrorCode::invalid_argument);
  }
}

TEST_CASE("CustomerKeyKeyring: no SSE-C EDK is not_found; a multi-keyring keeps the mismatch") {
  auto aes = *NewRawAesKeyring("ns", "k", KeyView(std::vector<uint8_t>(32, 9)));
  auto message = Encrypt(kPlain, *aes);
  REQUIRE(message);
  CHECK(Decrypt(*message, **NewCustomerKeyKeyring(KeyView(Key(1)))).error().code() ==
        ErrorCode::not_found);

  auto multi = *NewMultiKeyring(*NewCustomerKeyKeyring(KeyView(Key(1))), {aes});
  auto both = Encrypt(kPlain, *multi, {.context = kContext});
  REQUIRE(both);
  CHECK(Decrypt(*both, *aes));
  CHECK(Decrypt(*both, **NewCustomerKeyKeyring(KeyView(Key(1)))));
  auto wrong = *NewMultiKeyring(nullptr, {*NewCustomerKeyKeyring(KeyView(Key(2)))});
  auto out = Decrypt(*both, *wrong);
  REQUIRE_FALSE(out);
  CHECK(out.error().message() == kCustomerKeyMismatchMessage);
}

}  // namespace
}  // namespace envelope
