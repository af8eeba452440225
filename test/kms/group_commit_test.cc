// The KMS under concurrency: audit lines of concurrent read-only operations
// are written in shared batches (group commit), each call returning only
// once its own line is on disk; a failed batch fails every call in it; and
// the keystore kept in memory still sees what another process changed.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "envelope/kms.hpp"
#include "kms/audit_deferral.h"
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
  testing::UnwritableAuditLog unwritable(dir.keystore());
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
  unwritable.Restore();
  CHECK(kms->Encrypt(key->key_id, Bytes("x")));
  auto report = kms->VerifyAuditLog();
  REQUIRE(report);
  CHECK(report->intact);
}

// Waiter collects the outcomes that ScopedAuditDeferral::Then reports,
// from whatever thread reports them.
struct Waiter {
  std::mutex mu;
  std::condition_variable cv;
  int reported = 0;
  int failed = 0;
  int missing = 0;  // lines not yet in the file when their Then ran

  void Report(bool ok, bool present) {
    std::lock_guard<std::mutex> lock(mu);
    ++reported;
    if (!ok) ++failed;
    if (ok && !present) ++missing;
    cv.notify_all();
  }
  bool WaitFor(int n) {
    std::unique_lock<std::mutex> lock(mu);
    return cv.wait_for(lock, std::chrono::seconds(30), [&] { return reported >= n; });
  }
};

TEST_CASE("Audit deferral: Then reports each deferred line once it is in the file") {
  TempDir dir;
  FakeClock clock;
  auto kms = Kms::Open(Options(dir.keystore(), clock));
  REQUIRE(kms);
  auto key = kms->CreateKey();
  REQUIRE(key);
  const std::string log_path = dir.keystore() + "/audit.log";
  constexpr int kThreads = 8;
  constexpr int kCalls = 25;
  Waiter waiter;
  std::atomic<int> call_errors{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kCalls; ++i) {
        const std::string marker = "d-" + std::to_string(t) + "-" + std::to_string(i);
        ScopedAuditDeferral deferral;
        if (!kms->Encrypt(key->key_id, Bytes("x"), {{"marker", marker}})) ++call_errors;
        deferral.Then([&waiter, &log_path, marker](Result<void> durable) {
          const bool present =
              ReadText(log_path).find("\"marker\":\"" + marker + "\"") != std::string::npos;
          waiter.Report(durable.has_value(), present);
        });
      }
    });
  }
  for (auto& th : threads) th.join();
  REQUIRE(waiter.WaitFor(kThreads * kCalls));
  CHECK(call_errors == 0);
  CHECK(waiter.failed == 0);
  CHECK(waiter.missing == 0);
  CHECK(waiter.reported == kThreads * kCalls);
  auto report = kms->VerifyAuditLog();
  REQUIRE(report);
  CHECK(report->intact);
  CHECK(report->lines == 2 + kThreads * kCalls);
}

TEST_CASE(
    "Audit deferral: nothing deferred reports at once; a change is written before it returns") {
  TempDir dir;
  FakeClock clock;
  auto kms = Kms::Open(Options(dir.keystore(), clock));
  REQUIRE(kms);
  bool ran = false;
  {
    ScopedAuditDeferral deferral;
    deferral.Then([&](Result<void> durable) { ran = durable.has_value(); });
  }
  CHECK(ran);
  // CreateKey changes the keystore: its line is in the file when it
  // returns, deferral or not, and Then has nothing to wait for.
  ScopedAuditDeferral deferral;
  auto key = kms->CreateKey();
  REQUIRE(key);
  CHECK(ReadText(dir.keystore() + "/audit.log").find(key->key_id) != std::string::npos);
  bool reported = false;
  deferral.Then([&](Result<void> durable) { reported = durable.has_value(); });
  CHECK(reported);
}

TEST_CASE("Audit deferral: a batch that cannot be written reports the error, not success") {
  TempDir dir;
  FakeClock clock;
  auto kms = Kms::Open(Options(dir.keystore(), clock));
  REQUIRE(kms);
  auto key = kms->CreateKey();
  REQUIRE(key);
  testing::UnwritableAuditLog unwritable(dir.keystore());
  Waiter waiter;
  for (int i = 0; i < 10; ++i) {
    ScopedAuditDeferral deferral;
    // The operation itself succeeds; only its line is pending.
    CHECK(kms->Encrypt(key->key_id, Bytes("x")));
    auto sealed = kms->Encrypt(key->key_id, Bytes("y"));
    REQUIRE(sealed);
    CHECK(kms->Decrypt(sealed->blob));
    deferral.Then([&waiter](Result<void> durable) { waiter.Report(durable.has_value(), true); });
  }
  REQUIRE(waiter.WaitFor(10));
  CHECK(waiter.failed == 10);
  unwritable.Restore();
  ScopedAuditDeferral deferral;
  CHECK(kms->Encrypt(key->key_id, Bytes("x")));
  deferral.Then([&waiter](Result<void> durable) { waiter.Report(durable.has_value(), true); });
  REQUIRE(waiter.WaitFor(11));
  CHECK(waiter.failed == 10);
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
