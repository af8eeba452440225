// DataKeyToWrap, the "generate or reuse the data key" step of every
// wrapping keyring's OnEncrypt.
#include "keyring/keyring_util.h"

#include <doctest/doctest.h>

#include <vector>

namespace envelope::keyring {
namespace {

constexpr auto kSuite = AlgorithmSuiteId::aes_256_gcm_hkdf_sha512_commit_key;

EncryptedDataKey Edk() { return {"ns", {1, 2}, {3, 4}}; }

TEST_CASE("DataKeyToWrap: generates a key the materials get only at Commit") {
  EncryptionMaterials m;
  m.suite = kSuite;
  auto key = DataKeyToWrap::For(m, "test");
  REQUIRE(key);
  CHECK(key->key().size() == 32);
  CHECK(m.data_key.empty());  // nothing changes before Commit
  auto copy = key->key().Clone();
  REQUIRE(copy);
  std::move(*key).Commit(m, Edk());
  CHECK(m.data_key.Equals(*copy));
  CHECK(m.encrypted_data_keys.size() == 1);
}

TEST_CASE("DataKeyToWrap: reuses the key an earlier keyring generated") {
  EncryptionMaterials m;
  m.suite = kSuite;
  auto existing = SecretBytes::Random(32);
  REQUIRE(existing);
  m.data_key = std::move(*existing);
  const uint8_t* before = m.data_key.data();
  auto key = DataKeyToWrap::For(m, "test");
  REQUIRE(key);
  CHECK(&key->key() == &m.data_key);
  std::move(*key).Commit(m, Edk());
  CHECK(m.data_key.data() == before);
  CHECK(m.encrypted_data_keys.size() == 1);
}

TEST_CASE("DataKeyToWrap: refuses a key of the wrong size and an unknown suite") {
  EncryptionMaterials m;
  m.suite = kSuite;
  auto short_key = SecretBytes::Random(16);
  REQUIRE(short_key);
  m.data_key = std::move(*short_key);
  auto key = DataKeyToWrap::For(m, "test");
  REQUIRE_FALSE(key);
  CHECK(key.error().code() == ErrorCode::invalid_argument);
  CHECK(key.error().message() == "test: data key has the wrong size");

  EncryptionMaterials unknown;
  unknown.suite = static_cast<AlgorithmSuiteId>(0x1234);
  auto none = DataKeyToWrap::For(unknown, "test");
  REQUIRE_FALSE(none);
  CHECK(none.error().code() == ErrorCode::unsupported);
}

}  // namespace
}  // namespace envelope::keyring
