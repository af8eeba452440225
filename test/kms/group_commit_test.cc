// The KMS under concurrency: audit lines of concurrent read-only operations
// are written in shared batches (group commit), each call returning only
// once its own line is on disk; a failed batch fails every call in it; and
// the keystore kept in memory still sees what another process changed.
#include <doctest/doctest.h>

#include <atomic>
#include <filesystem>
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
using testing::ReadText;
using testing::TempDir;

TEST_CASE("Group commit: each concurrent Encrypt's line is durable when its call returns") {
  TempDir dir;
  FakeClock clock;
  auto kms = Kms::Open(Options(dir.keystore(), clock));
  REQUIRE(kms);
  auto key = kms->CreateKey();
  REQUIRE(key);
  constexpr int kThreads = 16;
  constexpr int kCalls = 20;
  std::atomic<int> missing{0};
  std::atomic<int> failed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kCalls; ++i) {
        const std::string marker = "m-" + std::to_string(t) + "-" + std::to_string(i);
        if (!kms->Encrypt(key->key_id, Bytes("x"), {{"marker", marker}})) {
          ++failed;
          continue;
        }
        // Returned: the line must already be in the file.
        const std::string log = ReadText(dir.keystore() + "/audit.log");
        if (log.find("\"marker\":\"" + marker + "\"") == std::string::npos) ++missing;
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(failed == 0);
  CHECK(missing == 0);
  auto report = kms->VerifyAuditLog();
  REQUIRE(report);
  CHECK(report->intact);
  // CreateKeystore, CreateKey and one line per Encrypt, no more, no less.
  CHECK(report->lines == 2 + kThreads * kCalls);
}

TEST_CASE("Group commit: a batch that cannot be written fails every call in it") {
  TempDir dir;
  FakeClock clock;
  auto kms = Kms::Open(Options(dir.keystore(), clock));
  REQUIRE(kms);
  auto key = kms->CreateKey();
  REQUIRE(key);
  const std::string log = dir.keystore() + "/audit.log";
  std::filesystem::rename(log, log + ".saved");
  std::filesystem::create_directory(log);  // open(O_RDWR) of a folder fails
  std::atomic<int> ok{0};
  std::atomic<int> audit_errors{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 5; ++i) {
        auto r = kms->Encrypt(key->key_id, Bytes("x"));
        if (r) {
          ++ok;
        } else if (r.error().message().find("audit log") != std::string::npos) {
          ++audit_errors;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(ok == 0);
  CHECK(audit_errors == 40);
  std::filesystem::remove(log);
  std::filesystem::rename(log + ".saved", log);
  CHECK(kms->Encrypt(key->key_id, Bytes("x")));
  auto report = kms->VerifyAuditLog();
  REQUIRE(report);
  CHECK(report->intact);
}

TEST_CASE("Cached keystore: changes by another process are seen, also at the same file size") {
  TempDir dir;
  FakeClock clock;
  auto a = Kms::Open(Options(dir.keystore(), clock));
  REQUIRE(a);
  auto key = a->CreateKey();
  REQUIRE(key);
  REQUIRE(a->Encrypt(key->key_id, Bytes("x")));
  // A second instance has its own lock file description and its own cache:
  // to `a` it is another process.
  auto b = Kms::Open(Options(dir.keystore(), clock));
  REQUIRE(b);
  // A change that keeps the file's size: a tag value of the same length.
  REQUIRE(b->TagResource(key->key_id, {{"team", "a"}}));
  auto tags = a->ListResourceTags(key->key_id);
  REQUIRE(tags);
  CHECK(tags->at("team") == "a");
  const auto size_before = std::filesystem::file_size(dir.keystore() + "/keystore.kms");
  REQUIRE(b->TagResource(key->key_id, {{"team", "b"}}));
  CHECK(std::filesystem::file_size(dir.keystore() + "/keystore.kms") == size_before);
  tags = a->ListResourceTags(key->key_id);
  REQUIRE(tags);
  CHECK(tags->at("team") == "b");
  REQUIRE(b->DisableKey(key->key_id));
  auto refused = a->Encrypt(key->key_id, Bytes("x"));
  REQUIRE_FALSE(refused);
  CHECK(refused.error().message().find("DisabledException") != std::string::npos);
  REQUIRE(b->EnableKey(key->key_id));
  CHECK(a->Encrypt(key->key_id, Bytes("x")));
  auto made_by_b = b->CreateKey();
  REQUIRE(made_by_b);
  CHECK(a->Encrypt(made_by_b->key_id, Bytes("x")));
  // A restored backup (an older version written over the file in place).
  const auto old = testing::ReadBytes(dir.keystore() + "/keystore.kms");
  REQUIRE(a->DisableKey(made_by_b->key_id));
  CHECK_FALSE(b->Encrypt(made_by_b->key_id, Bytes("x")));
  testing::WriteBytes(dir.keystore() + "/keystore.kms", old);
  CHECK(b->Encrypt(made_by_b->key_id, Bytes("x")));
  CHECK(a->Encrypt(made_by_b->key_id, Bytes("x")));
}

}  // namespace
}  // namespace envelope::kms
