// The keystore under crashes and concurrent writers: child processes killed
// with SIGKILL mid-write, and eight processes creating keys at once. The
// children report what they were told was created through a pipe; nothing
// reported may ever be lost, and the keystore must always open.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <random>
#include <set>
#include <string>

#include "envelope/kms.hpp"
#include "kms_test_util.h"

namespace envelope::kms {
namespace {

using testing::FakeClock;
using testing::Options;
using testing::TempDir;

// RunCreator is the child: open the keystore, create `count` keys, write
// each id and a newline to `fd` once CreateKey returned. Never returns.
[[noreturn]] void RunCreator(const std::string& dir, int count, int fd) {
  FakeClock clock;
  auto kms = Kms::Open(Options(dir, clock));
  if (!kms) _exit(2);
  for (int i = 0; i < count; ++i) {
    auto key = kms->CreateKey({.description = "child " + std::to_string(getpid())});
    if (!key) _exit(3);
    const std::string line = key->key_id + "\n";
    if (write(fd, line.data(), line.size()) != static_cast<ssize_t>(line.size())) _exit(4);
  }
  _exit(0);
}

// LineReader collects newline-terminated ids from a pipe.
struct LineReader {
  int fd;
  std::string partial;
  std::set<std::string> ids;
  // ReadUntil reads until `want` ids have arrived or end of file.
  void ReadUntil(size_t want) {
    char buf[4096];
    while (ids.size() < want) {
      const ssize_t n = read(fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return;
      partial.append(buf, static_cast<size_t>(n));
      for (size_t nl; (nl = partial.find('\n')) != std::string::npos;) {
        ids.insert(partial.substr(0, nl));
        partial.erase(0, nl + 1);
      }
    }
  }
};

std::set<std::string> KeyIds(Kms& kms) {
  auto keys = kms.ListKeys();
  REQUIRE(keys);
  std::set<std::string> out;
  for (const auto& k : *keys) out.insert(k.key_id);
  return out;
}

TEST_CASE("Crash safety: SIGKILL at random points during 200 key writes loses nothing") {
  TempDir tmp;
  FakeClock clock;
  REQUIRE(Kms::Open(Options(tmp.keystore(), clock)));
  std::mt19937 rng(20250101);
  std::set<std::string> reported;
  int killed_mid_run = 0;
  for (int round = 0; round < 5; ++round) {
    CAPTURE(round);
    int fds[2];
    REQUIRE(pipe(fds) == 0);
    const pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      close(fds[0]);
      RunCreator(tmp.keystore(), 200, fds[1]);
    }
    close(fds[1]);
    LineReader reader{fds[0], {}, {}};
    // Let a random number of writes complete, then kill within the next one
    // (a random delay of up to ~2 ms lands in the middle of a write).
    const size_t let_finish = std::uniform_int_distribution<size_t>(0, 199)(rng);
    reader.ReadUntil(let_finish);
    usleep(std::uniform_int_distribution<useconds_t>(0, 2000)(rng));
    kill(pid, SIGKILL);
    reader.ReadUntil(SIZE_MAX);
    close(fds[0]);
    int status = 0;
    REQUIRE(waitpid(pid, &status, 0) == pid);
    if (WIFSIGNALED(status)) ++killed_mid_run;
    reported.insert(reader.ids.begin(), reader.ids.end());

    auto kms = Kms::Open(Options(tmp.keystore(), clock));
    REQUIRE_MESSAGE(kms, kms.error().ToString());
    const auto present = KeyIds(*kms);
    for (const auto& id : reported) {
      CAPTURE(id);
      CHECK(present.count(id) == 1);
    }
    // At most the one write in flight may exist without being reported.
    CHECK(present.size() <= reported.size() + round + 1);
  }
  CHECK(killed_mid_run >= 4);
  CHECK(reported.size() > 0);
  // The audit log survives too: a torn line is cut by the next append.
  auto kms = Kms::Open(Options(tmp.keystore(), clock));
  REQUIRE(kms->CreateKey());
  auto report = kms->VerifyAuditLog();
  REQUIRE(report);
  CHECK_MESSAGE(report->intact, report->problem);
  // No temporary files are left behind once a writer has opened the folder.
  for (const auto& e : std::filesystem::directory_iterator(tmp.keystore())) {
    const std::string name = e.path().filename().string();
    CHECK(name.find(".tmp.") == std::string::npos);
    CHECK(name.find(".envelope-") == std::string::npos);
  }
}

TEST_CASE("Concurrency: 8 processes x 50 CreateKey at once keep all 400 keys") {
  TempDir tmp;
  FakeClock clock;
  constexpr int kProcs = 8, kEach = 50;
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  std::vector<pid_t> pids;
  // No keystore yet: the children also race to create it on first use.
  for (int i = 0; i < kProcs; ++i) {
    const pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      close(fds[0]);
      RunCreator(tmp.keystore(), kEach, fds[1]);
    }
    pids.push_back(pid);
  }
  close(fds[1]);
  LineReader reader{fds[0], {}, {}};
  reader.ReadUntil(SIZE_MAX);
  close(fds[0]);
  for (pid_t pid : pids) {
    int status = 0;
    REQUIRE(waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
  }
  CHECK(reader.ids.size() == kProcs * kEach);
  auto kms = Kms::Open(Options(tmp.keystore(), clock));
  REQUIRE_MESSAGE(kms, kms.error().ToString());
  CHECK(KeyIds(*kms) == reader.ids);
  auto report = kms->VerifyAuditLog();
  REQUIRE(report);
  CHECK_MESSAGE(report->intact, report->problem);
  CHECK(report->lines == 1 + kProcs * kEach + 1);  // CreateKeystore, creates, ListKeys
}

}  // namespace
}  // namespace envelope::kms
