#include "stream/chunk_engine.h"

#include <sched.h>

#include <algorithm>
#include <limits>
#include <string>

#include "envelope/secret.hpp"

namespace envelope::stream {
namespace {

constexpr size_t kNoFailure = std::numeric_limits<size_t>::max();
// About this much plaintext per thread per batch keeps the cost of waking
// workers (a few microseconds) small against the AES work.
constexpr size_t kBytesPerThreadPerBatch = size_t{1} << 20;
// The longest run of chunks one thread claims at once (16 MiB of 16 KiB
// chunks); see Work.
constexpr size_t kMaxRun = 1024;
// With a loader, a thread loads this much of its run (at most kMaxLoadJobs
// chunks) before sealing it: one read call for several chunks, and still
// well inside the core's L2 cache when AES reads it.
constexpr size_t kLoadBytes = size_t{512} << 10;
constexpr size_t kMaxLoadJobs = 64;

// LowerTo makes `a` at most `v`.
void LowerTo(std::atomic<size_t>& a, size_t v) noexcept {
  size_t seen = a.load(std::memory_order_relaxed);
  while (v < seen && !a.compare_exchange_weak(seen, v)) {
  }
}

}  // namespace

unsigned UsableCpus() noexcept {
#ifdef CPU_COUNT
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) {
    return static_cast<unsigned>(std::max(1, CPU_COUNT(&set)));
  }
#endif
  return std::max(1u, std::thread::hardware_concurrency());
}

Result<std::unique_ptr<ChunkEngine>> ChunkEngine::New(std::span<const uint8_t> key,
                                                      const ChunkSchedule& schedule,
                                                      unsigned threads) {
  if (threads == 0) threads = UsableCpus();
  if (threads > 256) {
    return MakeError(ErrorCode::invalid_argument, "chunk engine: at most 256 threads");
  }
  auto gcm = crypto::AesGcm::New(key);
  ENVELOPE_RETURN_IF_ERROR(gcm);
  auto lane =
      std::make_unique<Lane>(Lane{std::move(*gcm), std::vector<uint8_t>(schedule.max_aad_size())});
  return std::unique_ptr<ChunkEngine>(new ChunkEngine(std::move(lane), threads, schedule));
}

ChunkEngine::ChunkEngine(std::unique_ptr<Lane> caller_lane, unsigned threads,
                         const ChunkSchedule& schedule)
    : schedule_(schedule),
      lanes_(threads),
      // A spinning worker on a core another thread needs delays that thread.
      gate_(threads <= UsableCpus()) {
  lanes_[0] = std::move(caller_lane);
}

bool ChunkEngine::StartWorkers() noexcept {
  // std::thread throws when the system refuses a thread. Unwinding with
  // joinable threads would call std::terminate, so stop and join the ones
  // already started and report the failure instead.
  size_t started = 0;
  try {
    workers_.reserve(lanes_.size() - 1);
    for (size_t i = 1; i < lanes_.size(); ++i) {
      workers_.emplace_back([this, i] { WorkerMain(i); });
      ++started;
    }
  } catch (...) {
  }
  bool ok = started == lanes_.size() - 1;
  {
    // Wait for the started workers to build their lanes: they read lane 0's
    // context, which the caller must not touch meanwhile.
    std::unique_lock<std::mutex> lock(mu_);
    ready_cv_.wait(lock, [&] { return ready_workers_ == started; });
  }
  for (size_t i = 1; i <= started; ++i) ok = ok && lanes_[i] != nullptr;
  if (!ok) StopWorkers();
  return ok;
}

void ChunkEngine::StopWorkers() noexcept {
  gate_.Stop();
  for (auto& t : workers_) t.join();
  workers_.clear();
}

ChunkEngine::~ChunkEngine() { StopWorkers(); }

size_t ChunkEngine::BatchChunks(size_t chunk_size) const noexcept {
  const size_t per_thread =
      std::max<size_t>(4, kBytesPerThreadPerBatch / std::max<size_t>(chunk_size, 1));
  return per_thread * lanes_.size();
}

Result<void> ChunkEngine::Seal(std::span<const ChunkJob> jobs, ChunkLoader* loader,
                               SideTask* side) {
  return Run(Mode::seal, jobs, loader, nullptr, side);
}

Result<void> ChunkEngine::Open(std::span<const ChunkJob> jobs, size_t* verified_prefix,
                               SideTask* side, ChunkLoader* loader) {
  return Run(Mode::open, jobs, loader, verified_prefix, side);
}

void ChunkEngine::LoadFailed(size_t first, Error error) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!load_error_ || first < load_failure_) {
      load_error_ = std::move(error);
      load_failure_ = first;
    }
  }
  // Jobs before `first` still run (one of them may fail too, and then its
  // error wins, as with one thread); none after it.
  LowerTo(stop_at_, first);
}

void ChunkEngine::Failed(size_t i, bool internal) noexcept {
  if (internal) LowerTo(internal_failure_, i);
  LowerTo(first_failure_, i);
  LowerTo(stop_at_, i);
}

void ChunkEngine::Work(Lane& lane) {
  // Threads claim runs of neighbouring chunks (guided self-scheduling): a
  // run is a quarter of what is left divided by the threads, at most
  // kMaxRun chunks, at least one. Early runs are long and contiguous, as in
  // a bare loop over each core's half; near the end of the batch runs
  // shrink to single chunks, so no thread is left with a long run while the
  // others wait. Bench machine, two-thread one-shot encryption of 256 MiB:
  // 50.6 ms when threads took single chunks in turn, 36.2 ms with runs of
  // at most 8, and with one whole-message batch (ChunkedCipher::InMemory)
  // 40.0 -> 33.8 ms going from runs of at most 8 to at most 1024 (min of
  // 24 interleaved).
  const size_t n = jobs_.size();
  const size_t share = lanes_.size() * 4;
  uint8_t nonce[kNonceSize];
  for (;;) {
    const size_t claimed = next_.load(std::memory_order_relaxed);
    const size_t grain = std::clamp<size_t>((n - std::min(claimed, n)) / share, 1, kMaxRun);
    const size_t first = next_.fetch_add(grain, std::memory_order_relaxed);
    if (first >= n) return;
    const size_t end = std::min(first + grain, n);
    size_t loaded = first;  // jobs [first, loaded) of the run are loaded
    for (size_t i = first; i < end; ++i) {
      // A job after a failed one is not needed: the batch fails, and when
      // opening, it will be zeroed anyway. Runs are claimed in order, so
      // every later run of this thread is past the failure too.
      if (i > stop_at_.load(std::memory_order_relaxed)) return;
      const ChunkJob& job = jobs_[i];
      if (loader_ != nullptr && i == loaded) {
        size_t bytes = 0;
        while (loaded < end && loaded - i < kMaxLoadJobs && bytes < kLoadBytes) {
          bytes += jobs_[loaded++].out.size();
        }
        if (auto r = loader_->Load(jobs_.subspan(i, loaded - i)); !r) {
          LoadFailed(i, std::move(r.error()));
          return;
        }
      }
      const size_t aad_len =
          schedule_.Params(job.index, job.final, job.in.size(), std::span(nonce), lane.aad);
      const std::span<const uint8_t> aad(lane.aad.data(), aad_len);
      Result<void> r = mode_ == Mode::seal ? lane.gcm.Seal(nonce, aad, job.in, job.out, job.tag)
                                           : lane.gcm.Open(nonce, aad, job.in, job.tag, job.out);
      if (!r) Failed(i, r.error().code() != ErrorCode::auth_failed);
    }
  }
}

void ChunkEngine::WorkerMain(size_t lane_index) {
  {
    // Built here, by this thread, so its context and AAD buffer come from
    // this thread's malloc arena (see the header). A lane left null tells
    // StartWorkers that this worker failed.
    std::unique_ptr<Lane> lane;
    try {
      if (auto gcm = lanes_[0]->gcm.Clone(); gcm) {
        lane = std::make_unique<Lane>(
            Lane{std::move(*gcm), std::vector<uint8_t>(lanes_[0]->aad.size())});
      }
    } catch (...) {  // std::bad_alloc
    }
    std::lock_guard<std::mutex> lock(mu_);
    lanes_[lane_index] = std::move(lane);
    ++ready_workers_;
    ready_cv_.notify_one();
  }
  uint64_t seen = 0;
  BatchGate::WaitBudget budget;
  while (gate_.Join(&seen, &budget)) {
    Work(*lanes_[lane_index]);
    gate_.Leave();
  }
}

Result<void> ChunkEngine::Run(Mode mode, std::span<const ChunkJob> jobs, ChunkLoader* loader,
                              size_t* verified_prefix, SideTask* side) {
  // Workers start with the first batch that has work for them.
  if (lanes_.size() > 1 && jobs.size() >= 2 && worker_state_ == WorkerState::not_started) {
    worker_state_ = StartWorkers() ? WorkerState::running : WorkerState::failed;
  }
  if (worker_state_ == WorkerState::failed) {
    if (side != nullptr) side->Run();
    if (verified_prefix != nullptr) *verified_prefix = 0;
    if (mode == Mode::open) {
      for (const ChunkJob& job : jobs) SecureZero(job.out);
    }
    return MakeError(ErrorCode::internal,
                     "chunk engine: cannot start " + std::to_string(lanes_.size() - 1) +
                         " worker threads (process or memory limit?); try fewer threads");
  }

  mode_ = mode;
  jobs_ = jobs;
  loader_ = loader;
  load_error_.reset();
  next_.store(0, std::memory_order_relaxed);
  first_failure_.store(kNoFailure, std::memory_order_relaxed);
  internal_failure_.store(kNoFailure, std::memory_order_relaxed);
  stop_at_.store(kNoFailure, std::memory_order_relaxed);

  // One chunk, or no workers: no point waking anyone.
  if (workers_.empty() || jobs.size() < 2) {
    if (side != nullptr) side->Run();
    Work(*lanes_[0]);
  } else {
    gate_.Open();  // publishes mode_, jobs_ and the counters to workers
    if (side != nullptr) side->Run();
    Work(*lanes_[0]);
    // Every chunk is claimed: a worker that has not joined yet has nothing
    // to do, so the caller waits only for those that hold chunks.
    gate_.Close();
  }
  jobs_ = {};
  loader_ = nullptr;
  const size_t failed = first_failure_.load();
  if (load_error_ && load_failure_ < failed) {
    // Nothing of a batch that failed to load is released.
    if (verified_prefix != nullptr) *verified_prefix = 0;
    if (mode == Mode::open) {
      for (const ChunkJob& job : jobs) SecureZero(job.out);
    }
    return tl::unexpected(std::move(*load_error_));
  }

  if (verified_prefix != nullptr) *verified_prefix = std::min(failed, jobs.size());
  if (failed == kNoFailure) return {};
  if (mode == Mode::open) {
    // Later chunks may have verified, but nothing after a failure is
    // released: wipe them all.
    for (size_t i = failed; i < jobs.size(); ++i) SecureZero(jobs[i].out);
  }
  if (internal_failure_.load() == failed) {
    return MakeError(ErrorCode::internal, "chunk engine: aes-gcm failed");
  }
  return MakeError(ErrorCode::auth_failed,
                   "failed to decrypt and authenticate a chunk: the data is corrupted or was "
                   "tampered with, or the key is wrong");
}

}  // namespace envelope::stream
