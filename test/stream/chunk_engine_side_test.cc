// ChunkEngine: side tasks (run once per batch, on the calling thread, while
// the workers start) and loaders that fill ciphertext and tags for Open.
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <thread>
#include <vector>

#include "stream/chunk_engine.h"

namespace envelope::stream {
namespace {

// A toy schedule: nonce = index (big-endian, last 8 bytes); no AAD.
class IndexSchedule final : public ChunkSchedule {
 public:
  size_t max_aad_size() const noexcept override { return 1; }
  size_t Params(uint64_t index, bool, size_t, std::span<uint8_t, kNonceSize> nonce,
                std::span<uint8_t>) const noexcept override {
    std::fill(nonce.begin(), nonce.end(), 0);
    for (int i = 0; i < 8; ++i) nonce[11 - i] = uint8_t(index >> (8 * i));
    return 0;
  }
};

constexpr size_t kChunk = 1000;
const std::vector<uint8_t> kKey(32, 0x17);

// CountingTask counts its runs and remembers the thread of the last one.
class CountingTask final : public SideTask {
 public:
  void Run() noexcept override {
    runs.fetch_add(1);
    thread = std::this_thread::get_id();
  }
  std::atomic<int> runs{0};
  std::thread::id thread;
};

// Jobs over `n` chunks of `in` into `out`, tags in `tags`.
std::vector<ChunkJob> Jobs(size_t n, std::span<const uint8_t> in, std::span<uint8_t> out,
                           std::span<uint8_t> tags) {
  std::vector<ChunkJob> jobs;
  for (size_t i = 0; i < n; ++i) {
    jobs.push_back({i, i + 1 == n, in.subspan(i * kChunk, kChunk), out.subspan(i * kChunk, kChunk),
                    tags.subspan(i * kTagSize, kTagSize)});
  }
  return jobs;
}

TEST_CASE(
    "ChunkEngine: a side task runs once per batch on the calling thread, whatever the batch") {
  IndexSchedule schedule;
  const size_t n = 64;
  std::vector<uint8_t> plain(n * kChunk, 0x5a), sealed(n * kChunk), opened(n * kChunk);
  std::vector<uint8_t> tags(n * kTagSize);
  for (unsigned threads : {1u, 2u, 8u}) {
    CAPTURE(threads);
    auto engine = ChunkEngine::New(kKey, schedule, threads);
    REQUIRE(engine);
    for (size_t chunks : {size_t{0}, size_t{1}, n}) {
      CAPTURE(chunks);
      CountingTask seal_task;
      REQUIRE((*engine)->Seal(Jobs(chunks, plain, sealed, tags), nullptr, &seal_task));
      CHECK(seal_task.runs.load() == 1);
      CHECK(seal_task.thread == std::this_thread::get_id());
      CountingTask open_task;
      REQUIRE((*engine)->Open(Jobs(chunks, sealed, opened, tags), nullptr, &open_task));
      CHECK(open_task.runs.load() == 1);
      CHECK(open_task.thread == std::this_thread::get_id());
      CHECK(std::equal(opened.begin(), opened.begin() + chunks * kChunk, plain.begin()));
      // It runs when the batch fails too.
      if (chunks > 0) {
        sealed[0] ^= 1;
        CountingTask failing;
        CHECK_FALSE((*engine)->Open(Jobs(chunks, sealed, opened, tags), nullptr, &failing));
        CHECK(failing.runs.load() == 1);
        sealed[0] ^= 1;
      }
    }
  }
}

// SealedLoader copies each job's ciphertext and tag from a sealed batch and
// fails on job `fail`; a load that includes job `slow` sleeps first.
class SealedLoader final : public ChunkLoader {
 public:
  SealedLoader(std::span<const uint8_t> sealed, std::span<const uint8_t> tags, size_t fail,
               size_t slow = SIZE_MAX)
      : sealed_(sealed), tags_(tags), fail_(fail), slow_(slow) {}
  Result<void> Load(std::span<const ChunkJob> jobs) noexcept override {
    if (jobs.front().index <= slow_ && slow_ <= jobs.back().index) {
      std::this_thread::sleep_for(std::chrono::milliseconds(30));
    }
    for (const ChunkJob& job : jobs) {
      CHECK(job.in.data() == job.out.data());
      if (job.index == fail_) return MakeError(ErrorCode::io, "loader: disk on fire");
      std::memcpy(job.out.data(), sealed_.data() + job.index * kChunk, job.out.size());
      std::memcpy(job.tag.data(), tags_.data() + job.index * kTagSize, kTagSize);
    }
    return {};
  }

 private:
  std::span<const uint8_t> sealed_, tags_;
  size_t fail_, slow_;
};

TEST_CASE("ChunkEngine: Open with a loader opens in place; a load error wipes the whole batch") {
  IndexSchedule schedule;
  const size_t n = 300;
  std::vector<uint8_t> plain(n * kChunk), sealed(n * kChunk), tags(n * kTagSize);
  for (size_t i = 0; i < plain.size(); ++i) plain[i] = uint8_t(i * 7 + 1);
  auto reference = ChunkEngine::New(kKey, schedule, 1);
  REQUIRE(reference);
  REQUIRE((*reference)->Seal(Jobs(n, plain, sealed, tags)));
  for (unsigned threads : {1u, 2u, 8u}) {
    CAPTURE(threads);
    auto engine = ChunkEngine::New(kKey, schedule, threads);
    REQUIRE(engine);
    std::vector<uint8_t> buffer(n * kChunk), loaded_tags(n * kTagSize);
    auto jobs = Jobs(n, buffer, buffer, loaded_tags);
    SealedLoader loader(sealed, tags, SIZE_MAX);
    size_t verified = 0;
    REQUIRE((*engine)->Open(jobs, &verified, nullptr, &loader));
    CHECK(verified == n);
    CHECK(buffer == plain);

    std::fill(buffer.begin(), buffer.end(), 0xee);
    SealedLoader failing(sealed, tags, 200);
    auto r = (*engine)->Open(jobs, &verified, nullptr, &failing);
    REQUIRE_FALSE(r);
    CHECK(r.error().code() == ErrorCode::io);
    CHECK(verified == 0);
    CHECK(std::all_of(buffer.begin(), buffer.end(), [](uint8_t b) { return b == 0; }));

    // A tag the loader got wrong fails as any bad chunk does.
    std::vector<uint8_t> bad_tags = tags;
    bad_tags[5 * kTagSize] ^= 1;
    SealedLoader bad(sealed, bad_tags, SIZE_MAX);
    auto b = (*engine)->Open(jobs, &verified, nullptr, &bad);
    REQUIRE_FALSE(b);
    CHECK(b.error().code() == ErrorCode::auth_failed);
    CHECK(verified == 5);

    // A bad chunk before a failing load: the bad chunk wins, as on one
    // thread (which never gets to the load), even when the load fails first.
    SealedLoader both(sealed, bad_tags, 200, 5);
    auto c = (*engine)->Open(jobs, &verified, nullptr, &both);
    REQUIRE_FALSE(c);
    CHECK(c.error().code() == ErrorCode::auth_failed);
    CHECK(verified == 5);
    CHECK(std::equal(buffer.begin(), buffer.begin() + 5 * kChunk, plain.begin()));
    CHECK(std::all_of(buffer.begin() + 5 * kChunk, buffer.end(), [](uint8_t x) { return x == 0; }));
  }
}

}  // namespace
}  // namespace envelope::stream
