#include "envelope/secret_cache.hpp"

#include <doctest/doctest.h>

#include <thread>
#include <vector>

#include "kms/kms_test_util.h"

namespace envelope::secrets {
namespace {

using kms::testing::FakeClock;
using kms::testing::TempDir;

NewSecretValue Value(std::string_view text) {
  return {*SecretBytes::CopyFrom(kms::testing::Bytes(text)), false, {}};
}

std::string Str(const SecretBytes& bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

size_t DecryptLines(const std::string& keystore) {
  const std::string log = kms::testing::ReadText(keystore + "/audit.log");
  size_t n = 0;
  for (size_t at = log.find("\"eventName\":\"Decrypt\""); at != std::string::npos;
       at = log.find("\"eventName\":\"Decrypt\"", at + 1)) {
    ++n;
  }
  return n;
}

TEST_CASE("SecretCache: 8 threads reading one secret make one fetch per time-to-live") {
  TempDir dir;
  FakeClock clock;
  auto k = kms::Kms::Open({.directory = dir.keystore()});
  REQUIRE(k);
  auto store = SecretStore::Open(*k);
  REQUIRE(store);
  REQUIRE(store->Create("app/db", Value("v1")));
  SecretCache cache = SecretCache::ForStore(*store, {std::chrono::minutes(5), clock.clock()});

  auto read_many = [&](const std::string& expected) {
    std::vector<std::thread> threads;
    std::atomic<int> wrong{0};
    for (int t = 0; t < 8; ++t) {
      threads.emplace_back([&] {
        for (int i = 0; i < 50; ++i) {
          auto v = cache.GetSecretValue("app/db");
          if (!v || Str(v->value) != expected) ++wrong;
        }
      });
    }
    for (auto& t : threads) t.join();
    return wrong.load();
  };
  CHECK(read_many("v1") == 0);
  CHECK(cache.fetches() == 1);
  CHECK(DecryptLines(dir.keystore()) == 1);

  // Past the time-to-live with AWSCURRENT unchanged: a describe, no fetch.
  clock.Advance(std::chrono::hours(1));
  CHECK(read_many("v1") == 0);
  CHECK(cache.fetches() == 1);
  CHECK(DecryptLines(dir.keystore()) == 1);

  // A new AWSCURRENT is seen after the time-to-live, not before.
  REQUIRE(store->PutValue("app/db", Value("v2")));
  CHECK(read_many("v1") == 0);
  clock.Advance(std::chrono::hours(1));
  CHECK(read_many("v2") == 0);
  CHECK(cache.fetches() == 2);

  cache.Invalidate("app/db");
  CHECK(Str(cache.GetSecretValue("app/db")->value) == "v2");
  CHECK(cache.fetches() == 3);
  CHECK_FALSE(cache.GetSecretValue("app/none"));
}

}  // namespace
}  // namespace envelope::secrets
