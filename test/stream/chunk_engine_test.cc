// ChunkEngine: same output on 1, 2 and 8 threads, in-order failure reporting,
// zeroing of everything from the first failing chunk on.
#include "stream/chunk_engine.h"

#include <doctest/doctest.h>
#include <sched.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "chunked_test_util.h"
#include "stream/chunked_cipher.h"

namespace envelope::stream {
namespace {

// A toy schedule: nonce = 4 zero bytes || index (8, big-endian); AAD = the
// final flag and the chunk size, so both are authenticated.
class ToySchedule final : public ChunkSchedule {
 public:
  size_t max_aad_size() const noexcept override { return 9; }
  size_t Params(uint64_t index, bool final, size_t size, std::span<uint8_t, kNonceSize> nonce,
                std::span<uint8_t> aad) const noexcept override {
    std::fill(nonce.begin(), nonce.end(), 0);
    for (int i = 0; i < 8; ++i) nonce[11 - i] = uint8_t(index >> (8 * i));
    aad[0] = final ? 1 : 0;
    for (int i = 0; i < 8; ++i) aad[8 - i] = uint8_t(uint64_t(size) >> (8 * i));
    return 9;
  }
};

constexpr size_t kChunk = 1000;

struct Batch {
  std::vector<uint8_t> plain, sealed, tags;
  std::vector<ChunkJob> jobs;

  // n chunks, the last one `last` bytes long.
  Batch(size_t n, size_t last) {
    const size_t total = (n - 1) * kChunk + last;
    plain.resize(total);
    for (size_t i = 0; i < total; ++i) plain[i] = uint8_t(i * 31 + 7);
    sealed.resize(total);
    tags.resize(n * kTagSize);
  }
  std::vector<ChunkJob>& SealJobs() { return Make(plain, sealed); }
  std::vector<ChunkJob>& OpenJobs(std::vector<uint8_t>& out) { return Make(sealed, out); }

 private:
  std::vector<ChunkJob>& Make(std::span<const uint8_t> in, std::span<uint8_t> out) {
    jobs.clear();
    const size_t n = tags.size() / kTagSize;
    for (size_t i = 0; i < n; ++i) {
      const size_t off = i * kChunk, len = std::min(kChunk, in.size() - off);
      jobs.push_back({i, i + 1 == n, in.subspan(off, len), out.subspan(off, len),
                      std::span(tags).subspan(i * kTagSize, kTagSize)});
    }
    return jobs;
  }
};

const std::vector<uint8_t> kKey(32, 0x42);

// SealOnOneThread seals `b` on the calling thread alone: the reference output.
void SealOnOneThread(const ChunkSchedule& schedule, Batch& b) {
  auto engine = ChunkEngine::New(kKey, schedule, 1);
  REQUIRE(engine);
  REQUIRE((*engine)->Seal(b.SealJobs()));
}

TEST_CASE("ChunkEngine: 1, 2 and 8 threads give byte-identical output") {
  ToySchedule schedule;
  Batch reference(37, 123);
  SealOnOneThread(schedule, reference);
  for (unsigned threads : {2u, 8u, 0u}) {
    CAPTURE(threads);
    auto engine = ChunkEngine::New(kKey, schedule, threads);
    REQUIRE(engine);
    Batch b(37, 123);
    // Several batches through the same engine, as a stream would.
    for (int round = 0; round < 3; ++round) {
      std::fill(b.sealed.begin(), b.sealed.end(), 0);
      REQUIRE((*engine)->Seal(b.SealJobs()));
      CHECK(b.sealed == reference.sealed);
      CHECK(b.tags == reference.tags);
      std::vector<uint8_t> opened(b.plain.size());
      size_t verified = 0;
      REQUIRE((*engine)->Open(b.OpenJobs(opened), &verified));
      CHECK(verified == 37);
      CHECK(opened == b.plain);
    }
  }
}

// CopyLoader copies each job's plaintext from `plain` (chunk i at i * kChunk)
// and fails on the job `fail` with an io error. It counts the jobs loaded.
class CopyLoader final : public ChunkLoader {
 public:
  CopyLoader(std::span<const uint8_t> plain, size_t fail) : plain_(plain), fail_(fail) {}
  Result<void> Load(std::span<const ChunkJob> jobs) noexcept override {
    for (const ChunkJob& job : jobs) {
      CHECK(job.in.data() == job.out.data());
      if (job.index == fail_) return MakeError(ErrorCode::io, "loader: disk on fire");
      std::memcpy(job.out.data(), plain_.data() + job.index * kChunk, job.out.size());
      loaded.fetch_add(1);
    }
    return {};
  }
  std::atomic<size_t> loaded{0};

 private:
  std::span<const uint8_t> plain_;
  size_t fail_;
};

TEST_CASE("ChunkEngine: a loader fills chunks in place; its first error stops the batch") {
  ToySchedule schedule;
  Batch reference(300, 123);
  SealOnOneThread(schedule, reference);
  for (unsigned threads : {1u, 2u, 8u}) {
    CAPTURE(threads);
    auto engine = ChunkEngine::New(kKey, schedule, threads);
    REQUIRE(engine);
    for (int round = 0; round < 2; ++round) {
      // In place: in and out are the same bytes, filled by the loader.
      Batch b(300, 123);
      std::vector<ChunkJob> jobs = b.SealJobs();
      for (ChunkJob& job : jobs) job.in = job.out;
      CopyLoader loader(b.plain, SIZE_MAX);
      REQUIRE((*engine)->Seal(jobs, &loader));
      CHECK(loader.loaded.load() == 300);
      CHECK(b.sealed == reference.sealed);
      CHECK(b.tags == reference.tags);

      CopyLoader failing(b.plain, 150);
      auto r = (*engine)->Seal(jobs, &failing);
      REQUIRE_FALSE(r);
      CHECK(r.error().code() == ErrorCode::io);
      CHECK(r.error().message() == "loader: disk on fire");
      if (threads == 1) CHECK(failing.loaded.load() == 150);
      CHECK(failing.loaded.load() < 300);
    }
    // The engine works normally after a failed batch.
    Batch c(300, 123);
    REQUIRE((*engine)->Seal(c.SealJobs()));
    CHECK(c.sealed == reference.sealed);
  }
}

// TwoFaultLoader fails the load of job `low` (slowly: it sleeps first, so
// that another thread meets job `high` first) and of job `high`, each with
// its own message.
class TwoFaultLoader final : public ChunkLoader {
 public:
  TwoFaultLoader(size_t low, size_t high) : low_(low), high_(high) {}
  Result<void> Load(std::span<const ChunkJob> jobs) noexcept override {
    for (const ChunkJob& job : jobs) {
      if (job.index == low_) {
        std::this_thread::sleep_for(std::chrono::milliseconds(30));
        return MakeError(ErrorCode::io, "loader: low");
      }
      if (job.index == high_) return MakeError(ErrorCode::malformed, "loader: high");
    }
    return {};
  }

 private:
  size_t low_, high_;
};

TEST_CASE("ChunkEngine: the lowest failing load names the error, on any thread count") {
  ToySchedule schedule;
  for (unsigned threads : {1u, 2u, 8u}) {
    CAPTURE(threads);
    auto engine = ChunkEngine::New(kKey, schedule, threads);
    REQUIRE(engine);
    Batch b(300, 123);
    std::vector<ChunkJob> jobs = b.SealJobs();
    for (ChunkJob& job : jobs) job.in = job.out;
    // Job 0 is the first any thread loads; its load fails last.
    TwoFaultLoader loader(0, 200);
    auto r = (*engine)->Seal(jobs, &loader);
    REQUIRE_FALSE(r);
    CHECK(r.error().code() == ErrorCode::io);
    CHECK(r.error().message() == "loader: low");
  }
}

TEST_CASE("ChunkEngine: a bad chunk zeroes it and every later chunk, not earlier ones") {
  ToySchedule schedule;
  for (unsigned threads : {1u, 2u, 8u}) {
    CAPTURE(threads);
    auto engine = ChunkEngine::New(kKey, schedule, threads);
    REQUIRE(engine);
    Batch b(20, kChunk);
    REQUIRE((*engine)->Seal(b.SealJobs()));
    for (size_t bad : {size_t{0}, size_t{7}, size_t{19}}) {
      CAPTURE(bad);
      const auto original = b.sealed;
      b.sealed[bad * kChunk + 3] ^= 0x10;
      std::vector<uint8_t> opened(b.plain.size(), 0xee);
      size_t verified = 99;
      auto r = (*engine)->Open(b.OpenJobs(opened), &verified);
      b.sealed = original;
      REQUIRE_FALSE(r);
      CHECK(r.error().code() == ErrorCode::auth_failed);
      CHECK(verified == bad);
      CHECK(std::equal(opened.begin(), opened.begin() + bad * kChunk, b.plain.begin()));
      CHECK(std::all_of(opened.begin() + bad * kChunk, opened.end(),
                        [](uint8_t x) { return x == 0; }));
    }
  }
}

TEST_CASE("ChunkEngine: index, final flag and size are authenticated through the schedule") {
  ToySchedule schedule;
  auto engine = ChunkEngine::New(kKey, schedule, 2);
  REQUIRE(engine);
  Batch b(3, 10);
  REQUIRE((*engine)->Seal(b.SealJobs()));
  std::vector<uint8_t> out(b.plain.size());

  auto jobs = b.OpenJobs(out);
  std::swap(jobs[0].index, jobs[1].index);  // reordered chunks
  CHECK_FALSE((*engine)->Open(jobs));

  jobs = b.OpenJobs(out);
  jobs[2].final = false;  // final chunk presented as a middle one (truncation)
  CHECK_FALSE((*engine)->Open(jobs));

  jobs = b.OpenJobs(out);
  jobs[1].final = true;
  CHECK_FALSE((*engine)->Open(jobs));
}

TEST_CASE("ChunkEngine: empty batches, empty chunks and bad arguments") {
  ToySchedule schedule;
  auto engine = ChunkEngine::New(kKey, schedule, 2);
  REQUIRE(engine);
  CHECK((*engine)->Seal({}));
  CHECK((*engine)->Open({}));

  uint8_t tag[kTagSize];
  ChunkJob empty{0, true, {}, {}, std::span(tag)};
  REQUIRE((*engine)->Seal(std::span(&empty, 1)));
  CHECK((*engine)->Open(std::span(&empty, 1)));
  tag[0] ^= 1;
  CHECK_FALSE((*engine)->Open(std::span(&empty, 1)));

  CHECK_FALSE(ChunkEngine::New(std::vector<uint8_t>(31), schedule, 1));
  CHECK_FALSE(ChunkEngine::New(kKey, schedule, 1000));
  CHECK((*engine)->threads() == 2);
  CHECK((*engine)->BatchChunks(16384) == 2 * 64);
  CHECK((*engine)->BatchChunks(size_t{4} << 20) == 2 * 4);
}

// AffinityScope restricts the calling thread to its first allowed CPU, and
// gives back the mask it had.
class AffinityScope {
 public:
  AffinityScope() {
    CPU_ZERO(&saved_);
    ok_ = sched_getaffinity(0, sizeof saved_, &saved_) == 0;
    if (!ok_) return;
    cpu_set_t one;
    CPU_ZERO(&one);
    for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
      if (CPU_ISSET(cpu, &saved_)) {
        CPU_SET(cpu, &one);
        break;
      }
    }
    ok_ = sched_setaffinity(0, sizeof one, &one) == 0;
  }
  ~AffinityScope() { sched_setaffinity(0, sizeof saved_, &saved_); }
  AffinityScope(const AffinityScope&) = delete;
  AffinityScope& operator=(const AffinityScope&) = delete;
  bool ok() const { return ok_; }

 private:
  cpu_set_t saved_;
  bool ok_ = false;
};

TEST_CASE("ChunkEngine: threads = 0 is one per CPU of the affinity mask, not of the machine") {
  ToySchedule schedule;
  cpu_set_t mask;
  CPU_ZERO(&mask);
  REQUIRE(sched_getaffinity(0, sizeof mask, &mask) == 0);
  const unsigned allowed = static_cast<unsigned>(CPU_COUNT(&mask));
  CHECK(UsableCpus() == allowed);
  auto all = ChunkEngine::New(kKey, schedule, 0);
  REQUIRE(all);
  CHECK((*all)->threads() == allowed);
  if (allowed < 2) {
    MESSAGE("one CPU allowed: the restricted case below equals the whole mask");
  }
  {
    // As under `taskset -c 0` on a machine of several cores:
    // hardware_concurrency still counts them all, the engine must not.
    AffinityScope one_cpu;
    REQUIRE(one_cpu.ok());
    CHECK(UsableCpus() == 1);
    auto engine = ChunkEngine::New(kKey, schedule, 0);
    REQUIRE(engine);
    CHECK((*engine)->threads() == 1);
    // An explicit count is still honoured.
    auto two = ChunkEngine::New(kKey, schedule, 2);
    REQUIRE(two);
    CHECK((*two)->threads() == 2);
    // The C2SP streams and one-shot calls choose their threads themselves
    // (fewer for a short message), from the same count.
    std::vector<uint8_t> header(kC2spHeaderSize);
    auto cipher = ChunkedCipher::ForSealing(test::Keying(0), header, kNoChunkHint);
    REQUIRE(cipher);
    CHECK((*cipher)->threads() == 1);
  }
  CHECK(UsableCpus() == allowed);
  std::vector<uint8_t> header(kC2spHeaderSize);
  auto cipher = ChunkedCipher::ForSealing(test::Keying(0), header, kNoChunkHint);
  REQUIRE(cipher);
  CHECK((*cipher)->threads() == allowed);
}

}  // namespace
}  // namespace envelope::stream
