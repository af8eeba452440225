// lib/stream: BatchGate, how the chunk engine's caller hands a batch to its
// workers and waits for them.
//
// A stream hands the engine one batch per write or read: 1 MiB pushed is
// about 55 us of AES per thread on two threads. Waking a parked thread
// costs tens of microseconds on a virtual machine (an idle vCPU halts, and
// the wake-up is an interrupt to the host and back), paid twice per batch
// with a plain condition variable: once to wake the worker, once to wake
// the caller when the worker is done. So both sides spin briefly (bounded
// in wall time, with the CPU's pause hint) before they park:
//
//   caller:  Open ----- its share of the chunks ----- Close [spin | park]
//   worker:  [spin | park] Join ----- chunks ----- Leave [spin | park] ...
//
// A worker's spin adapts (WaitBudget): it spins up to kMaxSpin while
// batches come within kMaxSpin of it starting to wait, and halves its
// spin each time one does not, so a stream that pauses between batches
// (a slow source or sink, a loaded machine) soon stops spinning and costs
// at most about 2 x kMaxSpin of CPU per such run of slow batches.
//
// A worker joins a batch only while it is open: Close shuts it, and a
// worker that wakes after that (descheduled, or still waking) skips it, so
// the caller never waits for a thread that did not start; it waits only
// for those that joined, to finish the run of chunks they hold.
#ifndef ENVELOPE_LIB_STREAM_BATCH_GATE_H_
#define ENVELOPE_LIB_STREAM_BATCH_GATE_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>

namespace envelope::stream {

// BatchGate is the hand-off between one caller and a fixed set of workers.
// Open, Close and Stop are the caller's (one thread); Join and Leave each
// worker's. Everything the caller writes before Open is visible to a
// worker after Join; everything a worker writes before Leave is visible to
// the caller after Close.
class BatchGate {
 public:
  // kMaxSpin is the longest a side spins before it parks.
  static constexpr std::chrono::nanoseconds kMaxSpin = std::chrono::microseconds(50);

  // WaitBudget is one worker's adaptive spin (see the file comment); each
  // worker keeps its own.
  struct WaitBudget {
    std::chrono::nanoseconds spin = kMaxSpin;
  };

  // BatchGate spins as above when `spin`, else parks at once (more threads
  // than cores: a spinning worker would hold a core the others need).
  explicit BatchGate(bool spin = true) : spin_(spin) {}
  BatchGate(const BatchGate&) = delete;
  BatchGate& operator=(const BatchGate&) = delete;

  // Open publishes a new batch and wakes the parked workers. The previous
  // batch must be closed.
  void Open() noexcept;

  // Join waits for a batch this worker has not seen (`*seen` is the last
  // one it saw) that is still open, and joins it: true, and the worker
  // must call Leave when done. False when the gate is stopped.
  bool Join(uint64_t* seen, WaitBudget* budget) noexcept;

  // Leave tells the caller this worker is done with the batch it joined.
  void Leave() noexcept;

  // Close shuts the open batch (no worker joins it after this) and waits
  // until every worker that joined it has left.
  void Close() noexcept;

  // Stop makes every waiting and later Join return false.
  void Stop() noexcept;

 private:
  // word_: the batch's generation (high 32 bits), kClosed, and how many
  // workers joined it (low bits).
  static constexpr uint64_t kClosed = uint64_t{1} << 31;
  static constexpr uint64_t kCountMask = kClosed - 1;
  static uint32_t Generation(uint64_t word) noexcept { return static_cast<uint32_t>(word >> 32); }

  const bool spin_;
  // Caller and workers write these on every batch: their own cache lines.
  alignas(64) std::atomic<uint64_t> word_{kClosed};
  alignas(64) std::atomic<uint64_t> left_{0};
  alignas(64) std::atomic<bool> stop_{false};
  // Who is parked, so that the other side takes the mutex only then.
  std::atomic<uint32_t> parked_workers_{0};
  std::atomic<bool> caller_parked_{false};
  std::mutex mu_;
  std::condition_variable worker_cv_;
  std::condition_variable caller_cv_;
};

}  // namespace envelope::stream

#endif  // ENVELOPE_LIB_STREAM_BATCH_GATE_H_
