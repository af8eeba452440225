// ChunkEngine under a system that refuses threads: the first batch that
// needs the workers returns an error, and so does every later one, instead
// of aborting the process (std::thread's constructor throws, and unwinding
// with running workers would call std::terminate). A batch of one chunk
// never starts a worker, so it still works.
#include <doctest/doctest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <span>
#include <vector>

#include "stream/c2sp_schedule.h"
#include "stream/chunk_engine.h"

namespace envelope::stream {
namespace {

// VirtualSize returns the process's current address-space size in bytes.
long VirtualSize() {
  long pages = 0;
  FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) return -1;
  if (std::fscanf(f, "%ld", &pages) != 1) pages = -1;
  std::fclose(f);
  return pages * sysconf(_SC_PAGESIZE);
}

TEST_CASE("ChunkEngine: a refused worker thread is an error, not an abort") {
  const std::vector<uint8_t> key(32, 1);
  const std::array<uint8_t, kNonceSize> nonce{};
  C2spSchedule schedule(nonce);
  // Child exit codes: 0 = expected error, 1 = unexpected success or code.
  for (long room_mib : {1L, 12L, 20L}) {  // no worker fits; one fits; two fit
    CAPTURE(room_mib);
    const pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      // Let std::terminate kill the child outright (the test framework's
      // handler is no use here), and never let it hang the suite.
      std::signal(SIGABRT, SIG_DFL);
      alarm(20);
      const long vsize = VirtualSize();
      if (vsize <= 0) _exit(3);
      // Thread stacks are 8 MiB mappings: with only `room_mib` MiB of
      // address space left, the 63 workers cannot all start.
      const rlim_t limit = static_cast<rlim_t>(vsize + (room_mib << 20));
      rlimit rl{limit, limit};
      if (setrlimit(RLIMIT_AS, &rl) != 0) _exit(4);
      auto engine = ChunkEngine::New(key, schedule, 64);
      if (!engine) _exit(5);
      std::vector<uint8_t> buf(4 * 64 + 4 * kTagSize);
      std::vector<ChunkJob> jobs;
      for (uint64_t i = 0; i < 4; ++i) {
        auto chunk = std::span(buf).subspan(i * 64, 64);
        jobs.push_back(
            {i, i == 3, chunk, chunk, std::span(buf).subspan(256 + i * kTagSize, kTagSize)});
      }
      if (!(*engine)->Seal(std::span(jobs).first(1))) _exit(6);  // no worker needed
      for (int attempt = 0; attempt < 2; ++attempt) {
        auto r = (*engine)->Seal(jobs);
        if (r || r.error().code() != ErrorCode::internal) _exit(1);
      }
      _exit(0);
    }
    int status = 0;
    REQUIRE(waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status));  // not killed by std::terminate's SIGABRT
    if (WIFEXITED(status)) CHECK(WEXITSTATUS(status) == 0);
  }
}

}  // namespace
}  // namespace envelope::stream
