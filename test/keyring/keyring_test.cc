// Keyrings and materials managers through the public API: raw AES with every
// key size, raw RSA with every padding, the multi-keyring, the default and
// required-encryption-context CMMs, and the streaming entry points.
#include "envelope/keyring.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "envelope/message.hpp"
#include "support/vectors.h"

namespace envelope {
namespace {

std::vector<uint8_t> Bytes(std::string_view s) { return {s.begin(), s.end()}; }

std::string Pem(const char* name) {
  const auto b = testing::ReadFile(std::filesystem::path(ENVELOPE_TEST_DATA_DIR) / name);
  return {b.begin(), b.end()};
}

std::shared_ptr<const Keyring> Aes(std::string name, size_t size, uint8_t fill = 1) {
  auto k = NewRawAesKeyring("ns", name, KeyView(std::vector<uint8_t>(size, fill)));
  REQUIRE(k);
  return *k;
}

std::shared_ptr<const CryptoMaterialsManager> Cmm(std::shared_ptr<const Keyring> k) {
  auto c = NewDefaultCmm(std::move(k));
  REQUIRE(c);
  return *c;
}

const std::vector<uint8_t> kPlain = Bytes("attack at dawn, bring snacks");

TEST_CASE("RawAesKeyring: 128, 192 and 256-bit keys round trip; wrong key or name fails") {
  for (size_t size : {16u, 24u, 32u}) {
    CAPTURE(size);
    auto keyring = Aes("key", size);
    EncryptOptions options;
    options.context = {{"user", "ana"}};
    auto message = Encrypt(kPlain, *keyring, options);
    REQUIRE(message);
    auto result = Decrypt(*message, *keyring);
    REQUIRE(result);
    CHECK(result->plaintext == kPlain);
    CHECK(result->header.context == options.context);
    auto wrong_key = Decrypt(*message, *Aes("key", size, 2));
    REQUIRE_FALSE(wrong_key);
    CHECK(wrong_key.error().code() == ErrorCode::auth_failed);
    auto wrong_name = Decrypt(*message, *Aes("other", size));
    REQUIRE_FALSE(wrong_name);
    CHECK(wrong_name.error().code() == ErrorCode::not_found);
  }
  CHECK_FALSE(NewRawAesKeyring("ns", "k", KeyView(std::vector<uint8_t>(31))));
  CHECK_FALSE(NewRawAesKeyring("aws-kms", "k", KeyView(std::vector<uint8_t>(32))));
  CHECK_FALSE(NewRawAesKeyring("", "k", KeyView(std::vector<uint8_t>(32))));
}

TEST_CASE("RawAesKeyring: a changed context value in the header is rejected") {
  // The EDK's AAD is the context, so the unwrap fails before the header tag
  // is even checked; either way nothing decrypts.
  auto keyring = Aes("key", 32);
  EncryptOptions options;
  options.context = {{"tenant", "aaaa"}};
  auto message = Encrypt(kPlain, *keyring, options);
  REQUIRE(message);
  const auto value = Bytes("aaaa");
  auto pos = std::search(message->begin(), message->end(), value.begin(), value.end());
  REQUIRE(pos != message->end());
  *pos = 'b';
  auto r = Decrypt(*message, *keyring);
  REQUIRE_FALSE(r);
  CHECK(r.error().code() == ErrorCode::auth_failed);
}

TEST_CASE("RawRsaKeyring: every padding round trips; public-only cannot decrypt") {
  const auto private_pem = Pem("rsa4096_a.pem"), public_pem = Pem("rsa4096_a.pub.pem");
  for (auto padding : {RsaPadding::pkcs1_v15, RsaPadding::oaep_sha1, RsaPadding::oaep_sha256,
                       RsaPadding::oaep_sha384, RsaPadding::oaep_sha512}) {
    CAPTURE(static_cast<int>(padding));
    auto encrypt_only = NewRawRsaKeyring("ns", "rsa", padding, public_pem, "");
    auto full = NewRawRsaKeyring("ns", "rsa", padding, "", private_pem);
    REQUIRE(encrypt_only);
    REQUIRE(full);
    auto message = Encrypt(kPlain, **encrypt_only);
    REQUIRE(message);
    auto result = Decrypt(*message, **full);
    REQUIRE(result);
    CHECK(result->plaintext == kPlain);
    CHECK_FALSE(Decrypt(*message, **encrypt_only));
    auto other = NewRawRsaKeyring("ns", "rsa", padding, "", Pem("rsa4096_b.pkcs1.pem"));
    REQUIRE(other);
    auto wrong = Decrypt(*message, **other);
    REQUIRE_FALSE(wrong);
    CHECK(wrong.error().code() == ErrorCode::auth_failed);
  }
  CHECK_FALSE(NewRawRsaKeyring("ns", "rsa", RsaPadding::oaep_sha256, "", ""));
  CHECK_FALSE(NewRawRsaKeyring("ns", "rsa", RsaPadding::oaep_sha256, "not a pem", ""));
}

TEST_CASE("MultiKeyring: any member decrypts; the EDK limit applies") {
  auto aes = Aes("aes", 32);
  auto rsa = NewRawRsaKeyring("ns", "rsa", RsaPadding::oaep_sha256, "", Pem("rsa4096_a.pem"));
  REQUIRE(rsa);
  auto multi = NewMultiKeyring(aes, {*rsa, Aes("aes2", 16), Aes("aes3", 24)});
  REQUIRE(multi);
  auto message = Encrypt(kPlain, **multi);
  REQUIRE(message);
  for (const auto& k : {aes, *rsa, Aes("aes3", 24), *multi}) {
    auto r = Decrypt(*message, *k);
    REQUIRE(r);
    CHECK(r->plaintext == kPlain);
  }
  DecryptOptions limited;
  limited.limits.max_encrypted_data_keys = 3;
  auto r = Decrypt(*message, *aes, limited);
  REQUIRE_FALSE(r);
  CHECK(r.error().code() == ErrorCode::limit_exceeded);
  CHECK_FALSE(NewMultiKeyring(nullptr, {}));
  auto no_generator = NewMultiKeyring(nullptr, {aes});
  REQUIRE(no_generator);
  CHECK_FALSE(Encrypt(kPlain, **no_generator));
}

TEST_CASE("DefaultCmm: reserved keys, signed suite, reproduced context, policies") {
  auto keyring = Aes("key", 32);
  EncryptOptions reserved;
  reserved.context = {{"aws-crypto-public-key", "x"}};
  CHECK(Encrypt(kPlain, *keyring, reserved).error().code() == ErrorCode::invalid_argument);
  reserved.context = {{"aws-crypto-anything", "x"}};
  CHECK_FALSE(Encrypt(kPlain, *keyring, reserved));

  EncryptOptions signed_options;
  signed_options.suite = AlgorithmSuiteId::aes_256_gcm_hkdf_sha512_commit_key_ecdsa_p384;
  signed_options.context = {{"a", "b"}};
  auto message = Encrypt(kPlain, *keyring, signed_options);
  REQUIRE(message);
  auto result = Decrypt(*message, *keyring);
  REQUIRE(result);
  CHECK(result->plaintext == kPlain);
  CHECK(result->header.context.at("aws-crypto-public-key").size() == 68);

  DecryptOptions expect;
  expect.reproduced_context = {{"a", "b"}};
  CHECK(Decrypt(*message, *keyring, expect));
  expect.reproduced_context = {{"a", "c"}};
  CHECK(Decrypt(*message, *keyring, expect).error().code() == ErrorCode::auth_failed);
  expect.reproduced_context = {{"a", "b"}, {"extra", "1"}};  // not in the message
  CHECK(Decrypt(*message, *keyring, expect).error().code() == ErrorCode::auth_failed);

  EncryptOptions forbid;
  forbid.commitment_policy = CommitmentPolicy::forbid_encrypt_allow_decrypt;
  CHECK_FALSE(Encrypt(kPlain, *keyring, forbid));
}

TEST_CASE("DefaultCmm: more than 4 EDKs for one key are refused before any keyring runs") {
  // RSA, because each EDK tried is a private-key operation (about 10 ms at
  // 4096 bits): 1000 copies addressed to our key would cost 10 s.
  auto rsa = NewRawRsaKeyring("ns", "rsa", RsaPadding::oaep_sha256, "", Pem("rsa4096_a.pem"));
  REQUIRE(rsa);
  auto cmm = Cmm(*rsa);
  EncryptionMaterialsRequest enc_request;
  auto enc = cmm->GetEncryptionMaterials(enc_request);
  REQUIRE(enc);
  EncryptedDataKey bad = enc->encrypted_data_keys[0];
  bad.ciphertext[10] ^= 1;
  const EncryptionContext none;
  auto materials = [&](std::vector<EncryptedDataKey> edks) {
    DecryptionMaterialsRequest request;
    request.suite = enc->suite;
    request.encrypted_data_keys = std::move(edks);
    request.stored_context = &none;
    return cmm->DecryptMaterials(request);
  };
  // Four for one key: each is tried, and the right one found.
  auto four = materials({bad, bad, bad, enc->encrypted_data_keys[0]});
  REQUIRE(four);
  CHECK(four->data_key.Equals(enc->data_key));
  // A fifth: refused as a whole, even with the right one first.
  auto five = materials({enc->encrypted_data_keys[0], bad, bad, bad, bad});
  REQUIRE_FALSE(five);
  CHECK(five.error().code() == ErrorCode::limit_exceeded);
  CHECK(five.error().message().find("more than 4 times for one key") != std::string::npos);
  // EDKs for different keys (another name) do not add up.
  EncryptedDataKey other = bad;
  other.provider_info.push_back('2');
  auto mixed = materials({bad, bad, bad, other, other, enc->encrypted_data_keys[0]});
  CHECK(mixed);
}

TEST_CASE("RequiredEncryptionContextCmm: keys are authenticated but not stored") {
  auto base = Cmm(Aes("key", 32));
  auto cmm = NewRequiredEncryptionContextCmm(base, {"order"});
  REQUIRE(cmm);
  EncryptOptions options;
  options.context = {{"order", "42"}, {"shop", "north"}};
  auto message = Encrypt(kPlain, **cmm, options);
  REQUIRE(message);
  MemorySource source(*message);
  auto info = InspectMessage(source);
  REQUIRE(info);
  CHECK(info->header.context == EncryptionContext{{"shop", "north"}});

  DecryptOptions right;
  right.reproduced_context = {{"order", "42"}};
  auto ok = Decrypt(*message, **cmm, right);
  REQUIRE(ok);
  CHECK(ok->plaintext == kPlain);
  auto missing = Decrypt(*message, **cmm);
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code() == ErrorCode::auth_failed);
  DecryptOptions wrong;
  wrong.reproduced_context = {{"order", "43"}};
  auto bad = Decrypt(*message, **cmm, wrong);
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code() == ErrorCode::auth_failed);
  // The plain default CMM, without the required pair, cannot authenticate.
  CHECK(Decrypt(*message, *base).error().code() == ErrorCode::auth_failed);
  EncryptOptions lacking;
  lacking.context = {{"shop", "north"}};
  CHECK_FALSE(Encrypt(kPlain, **cmm, lacking));
  CHECK_FALSE(NewRequiredEncryptionContextCmm(base, {}));
}

TEST_CASE("Streaming API: push and pull give the one-shot results") {
  auto cmm = Cmm(Aes("key", 32));
  std::vector<uint8_t> plaintext(300000);
  for (size_t i = 0; i < plaintext.size(); ++i) plaintext[i] = uint8_t(i * 7);
  for (auto suite : {AlgorithmSuiteId::aes_256_gcm_hkdf_sha512_commit_key,
                     AlgorithmSuiteId::aes_256_gcm_hkdf_sha512_commit_key_ecdsa_p384}) {
    EncryptOptions options;
    options.suite = suite;
    options.frame_length = 4096;
    std::vector<uint8_t> pushed;
    MemorySink sink(pushed);
    auto enc = MessageEncryptor::New(*cmm, options, sink);
    REQUIRE(enc);
    for (size_t i = 0; i < plaintext.size(); i += 10000) {
      REQUIRE((*enc)->Update(
          std::span(plaintext).subspan(i, std::min<size_t>(10000, plaintext.size() - i))));
    }
    REQUIRE((*enc)->Finish());

    MemorySource source(plaintext);
    auto reader = EncryptingReader::New(*cmm, options, source);
    REQUIRE(reader);
    std::vector<uint8_t> pulled, buf(777);
    for (;;) {
      auto n = (*reader)->Read(buf);
      REQUIRE(n);
      if (*n == 0) break;
      pulled.insert(pulled.end(), buf.begin(), buf.begin() + *n);
    }
    for (const auto* message : {&pushed, &pulled}) {
      std::vector<uint8_t> out;
      MemorySink out_sink(out);
      auto dec = MessageDecryptor::New(*cmm, {}, out_sink);
      REQUIRE(dec);
      REQUIRE((*dec)->Update(*message));
      REQUIRE((*dec)->Finish());
      CHECK(out == plaintext);
      REQUIRE((*dec)->header());

      MemorySource in(*message);
      auto dreader = DecryptingReader::New(*cmm, {}, in);
      REQUIRE(dreader);
      std::vector<uint8_t> got;
      for (;;) {
        auto n = (*dreader)->Read(buf);
        REQUIRE(n);
        if (*n == 0) break;
        got.insert(got.end(), buf.begin(), buf.begin() + *n);
      }
      CHECK(got == plaintext);
    }
    if (suite == AlgorithmSuiteId::aes_256_gcm_hkdf_sha512_commit_key) {
      MemorySource positioned(pushed);
      auto ra = RandomAccessDecryptor::New(positioned, *cmm);
      REQUIRE(ra);
      std::vector<uint8_t> part(5000);
      REQUIRE((*ra)->ReadAt(123456, part));
      CHECK(std::equal(part.begin(), part.end(), plaintext.begin() + 123456));
    }
    // A damaged message: the one-shot gives nothing, the pull reader fails.
    auto damaged = pushed;
    damaged[damaged.size() / 2] ^= 1;
    CHECK_FALSE(Decrypt(damaged, *cmm));
    MemorySource in(damaged);
    auto dreader = DecryptingReader::New(*cmm, {}, in);
    REQUIRE(dreader);
    Result<size_t> n = 1;
    while (n && *n > 0) n = (*dreader)->Read(buf);
    CHECK_FALSE(n);
  }
}

}  // namespace
}  // namespace envelope
