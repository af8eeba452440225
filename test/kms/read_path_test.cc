// Kms read-only operations on the shared path (kms_impl.h, RunRead): they
// run without the keystore's flock while the file is unchanged, so these
// tests check that a commit by another Kms on the same folder (another
// process, as far as the file is concerned) is seen by the very next read,
// and that readers running at once with such commits only ever see whole
// states.
#include <doctest/doctest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "envelope/kms.hpp"
#include "kms_test_util.h"

namespace envelope::kms {
namespace {

using testing::Bytes;
using testing::FakeClock;
using testing::Options;
using testing::TempDir;

TEST_CASE("Kms read path: the next read sees another Kms's commit") {
  TempDir tmp;
  FakeClock clock;
  auto a = Kms::Open(Options(tmp.keystore(), clock));
  REQUIRE(a);
  auto b = Kms::Open(Options(tmp.keystore(), clock));
  REQUIRE(b);
  auto key = a->CreateKey();
  REQUIRE(key);
  // Warm a's state, then change the key through b.
  auto ct = a->Encrypt(key->key_id, Bytes("secret"));
  REQUIRE(ct);
  REQUIRE(a->DescribeKey(key->key_id)->state == KeyState::enabled);
  REQUIRE(b->DisableKey(key->key_id));
  auto refused = a->Encrypt(key->key_id, Bytes("x"));
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code() == ErrorCode::key_state);
  CHECK(a->Decrypt(ct->blob).error().code() == ErrorCode::key_state);
  CHECK(a->DescribeKey(key->key_id)->state == KeyState::disabled);
  // And back, and a name b adds is known to a at once.
  REQUIRE(b->EnableKey(key->key_id));
  REQUIRE(b->CreateAlias("alias/from-b", key->key_id));
  auto by_alias = a->GenerateDataKey("alias/from-b");
  REQUIRE(by_alias);
  CHECK(by_alias->ciphertext.key_id == key->key_id);
  // A key b creates is listed by a.
  auto second = b->CreateKey();
  REQUIRE(second);
  auto listed = a->ListKeys();
  REQUIRE(listed);
  CHECK(listed->size() == 2);
}

TEST_CASE("Kms read path: a deletion that falls due is done before the next read") {
  TempDir tmp;
  FakeClock clock;
  auto kms = Kms::Open(Options(tmp.keystore(), clock));
  REQUIRE(kms);
  auto key = kms->CreateKey();
  REQUIRE(key);
  REQUIRE(kms->ScheduleKeyDeletion(key->key_id, 7));
  clock.AdvanceDays(6);
  CHECK(kms->DescribeKey(key->key_id)->state == KeyState::pending_deletion);  // warm, not due
  clock.AdvanceDays(2);
  auto gone = kms->DescribeKey(key->key_id);
  REQUIRE_FALSE(gone);
  CHECK(gone.error().code() == ErrorCode::not_found);
  const std::string log = testing::ReadText(tmp.keystore() + "/audit.log");
  CHECK(log.find("\"DeleteKey\"") != std::string::npos);
}

TEST_CASE("Kms read path: readers at once with another Kms's writes see whole states") {
  TempDir tmp;
  FakeClock clock;
  auto reader = Kms::Open(Options(tmp.keystore(), clock));
  REQUIRE(reader);
  auto writer = Kms::Open(Options(tmp.keystore(), clock));
  REQUIRE(writer);
  auto key = reader->CreateKey();
  REQUIRE(key);
  const std::string id = key->key_id;
  std::atomic<bool> stop{false};
  std::atomic<int> ok{0}, disabled{0}, other{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      while (!stop.load()) {
        auto dk = reader->GenerateDataKey(id);
        if (dk) {
          auto pt = reader->Decrypt(dk->ciphertext.blob);
          // Disabled in between is fine; anything else is not.
          if (pt && pt->plaintext.size() == 32) {
            ++ok;
          } else if (!pt && pt.error().code() == ErrorCode::key_state) {
            ++disabled;
          } else {
            ++other;
          }
        } else if (dk.error().code() == ErrorCode::key_state) {
          ++disabled;
        } else {
          ++other;
        }
      }
    });
  }
  for (int i = 0; i < 40; ++i) {
    REQUIRE(writer->DisableKey(id));
    REQUIRE(writer->EnableKey(id));
    REQUIRE(writer->TagResource(id, {{"round", std::to_string(i)}}));
  }
  stop = true;
  for (auto& t : threads) t.join();
  CHECK(other.load() == 0);
  CHECK(ok.load() > 0);
  MESSAGE("reads that succeeded: ", ok.load(), ", refused while disabled: ", disabled.load());
  auto tags = reader->ListResourceTags(id);
  REQUIRE(tags);
  CHECK(tags->at("round") == "39");
  auto report = reader->VerifyAuditLog();
  REQUIRE(report);
}

}  // namespace
}  // namespace envelope::kms
