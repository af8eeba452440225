// The caching materials manager: reuse within max_messages, max_bytes and
// max_age; no caching without a known length, for identity-KDF suites or
// streams; decrypt caching by EDKs and context; LRU capacity; partitions;
// many threads never push one data key past its limits.
#include "envelope/caching_cmm.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <map>
#include <thread>

#include "envelope/keyring.hpp"
#include "envelope/message.hpp"

namespace envelope {
namespace {

// CountingCmm counts the calls that reach the underlying default CMM.
class CountingCmm final : public CryptoMaterialsManager {
 public:
  explicit CountingCmm(std::shared_ptr<const CryptoMaterialsManager> inner)
      : inner_(std::move(inner)) {}
  Result<EncryptionMaterials> GetEncryptionMaterials(
      const EncryptionMaterialsRequest& request) const override {
    ++encrypt_calls;
    last_length = request.max_plaintext_length.value_or(0);
    return inner_->GetEncryptionMaterials(request);
  }
  Result<DecryptionMaterials> DecryptMaterials(
      const DecryptionMaterialsRequest& request) const override {
    ++decrypt_calls;
    return inner_->DecryptMaterials(request);
  }
  mutable std::atomic<int> encrypt_calls{0}, decrypt_calls{0};
  mutable std::atomic<uint64_t> last_length{0};

 private:
  std::shared_ptr<const CryptoMaterialsManager> inner_;
};

std::shared_ptr<CountingCmm> Counting() {
  auto keyring = NewRawAesKeyring("ns", "key", KeyView(std::vector<uint8_t>(32, 7)));
  REQUIRE(keyring);
  auto cmm = NewDefaultCmm(*keyring);
  REQUIRE(cmm);
  return std::make_shared<CountingCmm>(*cmm);
}

std::shared_ptr<MaterialsCache> Cache(size_t capacity = 16) {
  auto cache = NewMaterialsCache(capacity);
  REQUIRE(cache);
  return *cache;
}

std::shared_ptr<const CryptoMaterialsManager> Caching(std::shared_ptr<CountingCmm> inner,
                                                      CachingCmmOptions options = {},
                                                      std::shared_ptr<MaterialsCache> cache = {}) {
  auto cmm = NewCachingCmm(std::move(inner), cache ? cache : Cache(), options);
  REQUIRE(cmm);
  return *cmm;
}

std::vector<uint8_t> EdkOf(const std::vector<uint8_t>& message) {
  MemorySource source(message);
  auto info = InspectMessage(source);
  REQUIRE(info);
  return info->header.encrypted_data_keys.at(0).ciphertext;
}

std::vector<uint8_t> MessageIdOf(const std::vector<uint8_t>& message) {
  MemorySource source(message);
  auto info = InspectMessage(source);
  REQUIRE(info);
  return info->header.message_id;
}

const std::vector<uint8_t> kPlain(1024, 0x42);

TEST_CASE("CachingCmm: one data key for many messages of a context; each message its own id") {
  auto inner = Counting();
  auto cmm = Caching(inner);
  EncryptOptions options;
  options.context = {{"tenant", "a"}};
  std::vector<std::vector<uint8_t>> messages;
  for (int i = 0; i < 10; ++i) {
    auto m = Encrypt(kPlain, *cmm, options);
    REQUIRE(m);
    messages.push_back(std::move(*m));
  }
  CHECK(inner->encrypt_calls == 1);
  // The underlying CMM is asked with max_bytes as the length (ESDK rule).
  CHECK(inner->last_length == CachingCmmOptions{}.max_bytes);
  for (const auto& m : messages) {
    CHECK(EdkOf(m) == EdkOf(messages[0]));  // the same data key ...
    auto r = Decrypt(m, *inner);
    REQUIRE(r);
    CHECK(r->plaintext == kPlain);
  }
  CHECK(MessageIdOf(messages[0]) != MessageIdOf(messages[1]));  // ... per-message keys
  options.context = {{"tenant", "b"}};
  REQUIRE(Encrypt(kPlain, *cmm, options));
  CHECK(inner->encrypt_calls == 2);  // another context, another entry
  options.suite = AlgorithmSuiteId::aes_256_gcm_hkdf_sha512_commit_key_ecdsa_p384;
  auto signed1 = Encrypt(kPlain, *cmm, options);
  auto signed2 = Encrypt(kPlain, *cmm, options);
  REQUIRE(signed1);
  REQUIRE(signed2);
  CHECK(inner->encrypt_calls == 3);  // signed suites are cached too, with their signing key
  CHECK(Decrypt(*signed2, *inner));
}

TEST_CASE("CachingCmm: max_messages and max_bytes bound each data key") {
  SUBCASE("max_messages = 3: 10 messages need 4 data keys") {
    auto inner = Counting();
    auto cmm = Caching(inner, {.max_messages = 3});
    std::map<std::vector<uint8_t>, int> uses;
    for (int i = 0; i < 10; ++i) {
      auto m = Encrypt(kPlain, *cmm);
      REQUIRE(m);
      ++uses[EdkOf(*m)];
    }
    CHECK(inner->encrypt_calls == 4);
    for (const auto& [edk, n] : uses) CHECK(n <= 3);
  }
  SUBCASE("max_bytes = 2500: two 1 KiB messages per key; larger plaintext bypasses") {
    auto inner = Counting();
    auto cmm = Caching(inner, {.max_bytes = 2500});
    for (int i = 0; i < 10; ++i) REQUIRE(Encrypt(kPlain, *cmm));
    CHECK(inner->encrypt_calls == 5);
    const std::vector<uint8_t> big(3000, 1);
    REQUIRE(Encrypt(big, *cmm));
    REQUIRE(Encrypt(big, *cmm));
    CHECK(inner->encrypt_calls == 7);
  }
  SUBCASE("max_messages = 1 never reuses") {
    auto inner = Counting();
    auto cmm = Caching(inner, {.max_messages = 1});
    for (int i = 0; i < 3; ++i) REQUIRE(Encrypt(kPlain, *cmm));
    CHECK(inner->encrypt_calls == 3);
  }
}

TEST_CASE("CachingCmm: entries expire after max_age") {
  auto inner = Counting();
  auto cmm = Caching(inner, {.max_age = std::chrono::milliseconds(100)});
  REQUIRE(Encrypt(kPlain, *cmm));
  std::this_thread::sleep_for(std::chrono::milliseconds(150));
  REQUIRE(Encrypt(kPlain, *cmm));
  CHECK(inner->encrypt_calls == 2);
}

TEST_CASE("CachingCmm: no caching when the length is unknown (streams) or the suite has no KDF") {
  auto inner = Counting();
  auto cmm = Caching(inner);
  for (int i = 0; i < 3; ++i) {
    std::vector<uint8_t> out;
    MemorySink sink(out);
    auto e = MessageEncryptor::New(*cmm, {}, sink);
    REQUIRE(e);
    REQUIRE((*e)->Update(kPlain));
    REQUIRE((*e)->Finish());
  }
  CHECK(inner->encrypt_calls == 3);
  // An identity-KDF suite would repeat (key, IV) pairs: always bypassed. The
  // default CMM refuses to write it, so the refusal is counted each time.
  EncryptionMaterialsRequest request;
  request.suite = AlgorithmSuiteId::aes_256_gcm_iv12_tag16_no_kdf;
  request.commitment_policy = CommitmentPolicy::forbid_encrypt_allow_decrypt;
  request.max_plaintext_length = 10;
  CHECK_FALSE(cmm->GetEncryptionMaterials(request));
  CHECK_FALSE(cmm->GetEncryptionMaterials(request));
  CHECK(inner->encrypt_calls == 5);
}

TEST_CASE("CachingCmm: decrypt materials are reused per EDKs and context") {
  auto inner = Counting();
  auto cmm = Caching(inner);
  EncryptOptions options;
  options.context = {{"k", "v"}};
  auto message = Encrypt(kPlain, *inner, options);
  REQUIRE(message);
  for (int i = 0; i < 5; ++i) {
    auto r = Decrypt(*message, *cmm);
    REQUIRE(r);
    CHECK(r->plaintext == kPlain);
  }
  CHECK(inner->decrypt_calls == 1);
  DecryptOptions wrong;
  wrong.reproduced_context = {{"k", "other"}};
  auto r = Decrypt(*message, *cmm, wrong);
  REQUIRE_FALSE(r);  // a cached entry never stands in for a mismatched context
  CHECK(inner->decrypt_calls == 2);
  auto other = Encrypt(kPlain, *inner, options);
  REQUIRE(other);
  REQUIRE(Decrypt(*other, *cmm));
  CHECK(inner->decrypt_calls == 3);
}

TEST_CASE("MaterialsCache: LRU capacity, Clear, and partitions between CMMs") {
  auto inner = Counting();
  auto cache = Cache(2);
  auto cmm = Caching(inner, {}, cache);
  auto encrypt = [&](const CryptoMaterialsManager& c, const char* tenant) {
    EncryptOptions options;
    options.context = {{"tenant", tenant}};
    REQUIRE(Encrypt(kPlain, c, options));
  };
  encrypt(*cmm, "a");
  encrypt(*cmm, "b");
  encrypt(*cmm, "a");  // hit; b is now least recently used
  encrypt(*cmm, "c");  // evicts b
  CHECK(cache->size() == 2);
  CHECK(inner->encrypt_calls == 3);
  encrypt(*cmm, "a");
  CHECK(inner->encrypt_calls == 3);
  encrypt(*cmm, "b");
  CHECK(inner->encrypt_calls == 4);
  cache->Clear();
  CHECK(cache->size() == 0);
  encrypt(*cmm, "b");
  CHECK(inner->encrypt_calls == 5);

  auto other = Caching(inner, {}, cache);  // random partition: no sharing
  encrypt(*other, "b");
  CHECK(inner->encrypt_calls == 6);
  auto p1 = Caching(inner, {.partition_id = "shared"}, cache);
  auto p2 = Caching(inner, {.partition_id = "shared"}, cache);
  encrypt(*p1, "z");
  encrypt(*p2, "z");
  CHECK(inner->encrypt_calls == 7);
}

TEST_CASE("CachingCmm: 8 threads never use one data key beyond max_messages") {
  auto inner = Counting();
  auto cmm = Caching(inner, {.max_messages = 50});
  std::mutex mu;
  std::map<std::vector<uint8_t>, int> uses;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        auto m = Encrypt(kPlain, *cmm);
        if (!m || !Decrypt(*m, *cmm)) {
          ++failures;
          continue;
        }
        MemorySource source(*m);
        auto info = InspectMessage(source);
        std::lock_guard lock(mu);
        ++uses[info->header.encrypted_data_keys.at(0).ciphertext];
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(failures == 0);
  CHECK(inner->encrypt_calls >= 1600 / 50);
  for (const auto& [edk, n] : uses) CHECK(n <= 50);
}

TEST_CASE("NewCachingCmm and NewMaterialsCache: invalid arguments") {
  auto inner = Counting();
  CHECK_FALSE(NewMaterialsCache(0));
  CHECK_FALSE(NewCachingCmm(nullptr, Cache()));
  CHECK_FALSE(NewCachingCmm(inner, nullptr));
  CHECK_FALSE(NewCachingCmm(inner, Cache(), {.max_age = std::chrono::seconds(0)}));
  CHECK_FALSE(NewCachingCmm(inner, Cache(), {.max_messages = 0}));
  CHECK_FALSE(NewCachingCmm(inner, Cache(), {.max_messages = (uint64_t{1} << 32) + 1}));
  CHECK_FALSE(NewCachingCmm(inner, Cache(), {.max_bytes = uint64_t{1} << 63}));
  CHECK(NewCachingCmm(inner, Cache(), {.max_messages = uint64_t{1} << 32}));
}

}  // namespace
}  // namespace envelope
