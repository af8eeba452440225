#include "stream/batch_gate.h"

#include <algorithm>

namespace envelope::stream {
namespace {

using Clock = std::chrono::steady_clock;

// Pause tells the CPU this is a spin-wait loop: it saves power and leaves
// the core's resources to the other hyperthread.
inline void Pause() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

// SpinUntil calls `done` until it returns true or `spin` has passed; it
// returns what `done` last returned. The clock is read every few rounds:
// a descheduled thread stops spinning soon after it runs again.
template <typename Done>
bool SpinUntil(std::chrono::nanoseconds spin, Done done) {
  if (done()) return true;
  if (spin <= std::chrono::nanoseconds::zero()) return false;
  const auto deadline = Clock::now() + spin;
  for (;;) {
    for (int i = 0; i < 16; ++i) {
      Pause();
      if (done()) return true;
    }
    if (Clock::now() >= deadline) return false;
  }
}

}  // namespace

void BatchGate::Open() noexcept {
  left_.store(0, std::memory_order_relaxed);
  const uint64_t word = word_.load(std::memory_order_relaxed);
  // seq_cst: ordered before the load of parked_workers_ below, against a
  // worker's increment of it before it checks word_ (no lost wake-up).
  word_.store(uint64_t{Generation(word) + 1u} << 32);
  if (parked_workers_.load() > 0) {
    { std::lock_guard<std::mutex> lock(mu_); }
    worker_cv_.notify_all();
  }
}

bool BatchGate::Join(uint64_t* seen, WaitBudget* budget) noexcept {
  const auto start = Clock::now();
  // A new batch this worker may join; a closed one is marked seen.
  auto joinable = [&] {
    uint64_t word = word_.load(std::memory_order_acquire);
    while (Generation(word) != *seen) {
      if ((word & kClosed) != 0) {
        *seen = Generation(word);
        return false;
      }
      if (word_.compare_exchange_weak(word, word + 1, std::memory_order_acq_rel,
                                      std::memory_order_acquire)) {
        *seen = Generation(word);
        return true;
      }
    }
    return false;
  };
  auto wake = [&] { return stop_.load(std::memory_order_relaxed) || joinable(); };
  if (!spin_) budget->spin = {};
  while (!SpinUntil(budget->spin, wake)) {
    std::unique_lock<std::mutex> lock(mu_);
    parked_workers_.fetch_add(1);
    worker_cv_.wait(lock, [&] { return stop_.load() || Generation(word_.load()) != *seen; });
    parked_workers_.fetch_sub(1);
    lock.unlock();
    if (wake()) break;  // else the batch closed before this worker could join
  }
  // Woken by Stop, which comes only after the last batch closed: this
  // worker joined nothing, so there is nothing to leave.
  if (stop_.load(std::memory_order_relaxed)) return false;
  // Spinning paid off when the batch came within kMaxSpin of the worker
  // starting to wait (it would have been caught spinning): spin fully
  // next time. Otherwise halve the spin, down to none.
  if (!spin_) {
    budget->spin = {};
  } else if (Clock::now() - start <= kMaxSpin) {
    budget->spin = kMaxSpin;
  } else {
    budget->spin /= 2;
    if (budget->spin < std::chrono::microseconds(1)) budget->spin = {};
  }
  return true;
}

void BatchGate::Leave() noexcept {
  // seq_cst: ordered before the load of caller_parked_, against the
  // caller's store of it before it checks left_ (no lost wake-up).
  left_.fetch_add(1);
  if (caller_parked_.load()) {
    { std::lock_guard<std::mutex> lock(mu_); }
    caller_cv_.notify_one();
  }
}

void BatchGate::Close() noexcept {
  const uint64_t joined = word_.fetch_or(kClosed, std::memory_order_acq_rel) & kCountMask;
  auto all_left = [&] { return left_.load(std::memory_order_acquire) == joined; };
  // The workers that joined hold one run of chunks each at most, and near
  // the end of a batch runs are single chunks: usually a short wait.
  if (SpinUntil(spin_ ? kMaxSpin : std::chrono::nanoseconds::zero(), all_left)) return;
  std::unique_lock<std::mutex> lock(mu_);
  caller_parked_.store(true);
  caller_cv_.wait(lock, [&] { return left_.load() == joined; });
  caller_parked_.store(false);
}

void BatchGate::Stop() noexcept {
  stop_.store(true);
  { std::lock_guard<std::mutex> lock(mu_); }
  worker_cv_.notify_all();
}

}  // namespace envelope::stream
