#include "stream/chunk_engine.h"

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

}  // namespace

Result<std::unique_ptr<ChunkEngine>> ChunkEngine::New(std::span<const uint8_t> key,
                                                      const ChunkSchedule& schedule,
                                                      unsigned threads) {
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  if (threads > 256) {
    return MakeError(ErrorCode::invalid_argument, "chunk engine: at most 256 threads");
  }
  std::vector<Lane> lanes;
  lanes.reserve(threads);
  for (unsigned i = 0; i < threads; ++i) {
    auto gcm = crypto::AesGcm::New(key);
    if (!gcm) return tl::unexpected(gcm.error());
    lanes.push_back(Lane{std::move(*gcm), std::vector<uint8_t>(schedule.max_aad_size())});
  }
  std::unique_ptr<ChunkEngine> engine(new ChunkEngine(std::move(lanes), schedule));
  if (!engine->StartWorkers()) {
    return MakeError(ErrorCode::internal,
                     "chunk engine: cannot start " + std::to_string(threads - 1) +
                         " worker threads (process or memory limit?); try fewer threads");
  }
  return engine;
}

ChunkEngine::ChunkEngine(std::vector<Lane> lanes, const ChunkSchedule& schedule)
    : schedule_(schedule), lanes_(std::move(lanes)) {}

bool ChunkEngine::StartWorkers() noexcept {
  // std::thread throws when the system refuses a thread. Unwinding with
  // joinable threads would call std::terminate, so stop and join the ones
  // already started and report the failure instead.
  try {
    workers_.reserve(lanes_.size() - 1);
    for (size_t i = 1; i < lanes_.size(); ++i) {
      workers_.emplace_back([this, i] { WorkerMain(i); });
    }
    return true;
  } catch (...) {
    StopWorkers();
    return false;
  }
}

void ChunkEngine::StopWorkers() noexcept {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  start_cv_.notify_all();
  for (auto& t : workers_) t.join();
  workers_.clear();
}

ChunkEngine::~ChunkEngine() { StopWorkers(); }

size_t ChunkEngine::BatchChunks(size_t chunk_size) const noexcept {
  const size_t per_thread =
      std::max<size_t>(4, kBytesPerThreadPerBatch / std::max<size_t>(chunk_size, 1));
  return per_thread * lanes_.size();
}

Result<void> ChunkEngine::Seal(std::span<const ChunkJob> jobs) {
  return Run(Mode::seal, jobs, nullptr);
}

Result<void> ChunkEngine::Open(std::span<const ChunkJob> jobs, size_t* verified_prefix) {
  return Run(Mode::open, jobs, verified_prefix);
}

void ChunkEngine::Work(Lane& lane) {
  uint8_t nonce[kNonceSize];
  for (;;) {
    const size_t i = next_.fetch_add(1, std::memory_order_relaxed);
    if (i >= jobs_.size()) return;
    // A chunk after a failed one will be zeroed anyway: skip the work.
    if (mode_ == Mode::open && i > first_failure_.load(std::memory_order_relaxed)) continue;
    const ChunkJob& job = jobs_[i];
    const size_t aad_len =
        schedule_.Params(job.index, job.final, job.in.size(), std::span(nonce), lane.aad);
    const std::span<const uint8_t> aad(lane.aad.data(), aad_len);
    Result<void> r = mode_ == Mode::seal ? lane.gcm.Seal(nonce, aad, job.in, job.out, job.tag)
                                         : lane.gcm.Open(nonce, aad, job.in, job.tag, job.out);
    if (!r) {
      if (r.error().code() != ErrorCode::auth_failed) {
        internal_error_.store(true, std::memory_order_relaxed);
      }
      size_t seen = first_failure_.load(std::memory_order_relaxed);
      while (i < seen && !first_failure_.compare_exchange_weak(seen, i)) {
      }
    }
  }
}

void ChunkEngine::WorkerMain(size_t lane_index) {
  uint64_t seen = 0;
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      start_cv_.wait(lock, [&] { return stop_ || generation_ != seen; });
      if (stop_) return;
      seen = generation_;
    }
    Work(lanes_[lane_index]);
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (--busy_workers_ == 0) done_cv_.notify_one();
    }
  }
}

Result<void> ChunkEngine::Run(Mode mode, std::span<const ChunkJob> jobs,
                              size_t* verified_prefix) {
  mode_ = mode;
  jobs_ = jobs;
  next_.store(0, std::memory_order_relaxed);
  first_failure_.store(kNoFailure, std::memory_order_relaxed);
  internal_error_.store(false, std::memory_order_relaxed);

  // One chunk, or no workers: no point waking anyone.
  if (workers_.empty() || jobs.size() < 2) {
    Work(lanes_[0]);
  } else {
    {
      std::lock_guard<std::mutex> lock(mu_);
      busy_workers_ = workers_.size();
      ++generation_;  // publishes mode_, jobs_ and the counters to workers
    }
    start_cv_.notify_all();
    Work(lanes_[0]);
    std::unique_lock<std::mutex> lock(mu_);
    done_cv_.wait(lock, [&] { return busy_workers_ == 0; });
  }
  jobs_ = {};

  const size_t failed = first_failure_.load();
  if (verified_prefix != nullptr) *verified_prefix = std::min(failed, jobs.size());
  if (failed == kNoFailure) return {};
  if (mode == Mode::open) {
    // Later chunks may have verified, but nothing after a failure is
    // released: wipe them all.
    for (size_t i = failed; i < jobs.size(); ++i) SecureZero(jobs[i].out);
  }
  if (internal_error_.load()) {
    return MakeError(ErrorCode::internal, "chunk engine: aes-gcm failed");
  }
  return MakeError(ErrorCode::auth_failed,
                   "failed to decrypt and authenticate a chunk: the data is corrupted or was "
                   "tampered with, or the key is wrong");
}

}  // namespace envelope::stream
