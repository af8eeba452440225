// lib/stream: the chunk engine shared by every chunked format.
//
// A format (C2SP chunked encryption, ESDK framed messages) cuts its payload
// into chunks and describes each one as a ChunkJob: where its input is, where
// its output and tag go, its index and whether it is the final chunk. The
// engine runs AES-GCM over a batch of jobs, on the calling thread alone or
// spread over a pool of workers, and returns when every job of the batch is
// done, so the format writes results out strictly in order. The engine knows
// nothing about headers, framing or files: the per-chunk nonce and AAD come
// from the format's ChunkSchedule.
//
//   format:  [read batch] -> engine: [chunk 0][chunk 1]...[chunk n-1] -> [write in order]
//                                     worker 0  worker 1 ... (any order)
//
// A format that can read its input at any offset may skip the first step and
// hand Seal a ChunkLoader instead: each thread then loads the chunks it is
// about to seal (reading is spread over the threads, and the bytes are still
// in that core's cache when AES reads them).
//
// Memory is what the format hands in: threads x chunks per thread x chunk
// size for a batch, independent of the payload size. The engine allocates
// nothing per chunk or per batch: each participant owns one AesGcm context
// and one AAD buffer for its whole life.
//
// Workers start with the first batch that has work for them (a message of
// one chunk never starts a thread), and each worker builds its own context
// and AAD buffer on its own thread. OpenSSL writes a GCM context on every
// call; contexts allocated one after the other by one thread can share a
// cache line, and then two cores would fight over it. (On our bench machine
// this was within the noise; claiming runs of chunks, see Work, was not.)
#ifndef ENVELOPE_LIB_STREAM_CHUNK_ENGINE_H_
#define ENVELOPE_LIB_STREAM_CHUNK_ENGINE_H_

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <thread>
#include <vector>

#include "crypto/aes_gcm.h"
#include "envelope/error.hpp"
#include "stream/batch_gate.h"

namespace envelope::stream {

inline constexpr size_t kNonceSize = crypto::kGcmIvSize;
inline constexpr size_t kTagSize = crypto::kGcmTagSize;

// UsableCpus is how many CPUs the calling thread may run on: its affinity
// mask (taskset, a container's cpuset), which std::thread's
// hardware_concurrency ignores; hardware_concurrency where the mask cannot
// be read. What "threads = 0" (one per core) means everywhere.
unsigned UsableCpus() noexcept;

// ChunkSchedule gives the nonce and AAD of each chunk. Implementations must
// be safe to call from several threads at once (they are pure functions of
// their arguments and immutable state).
class ChunkSchedule {
 public:
  virtual ~ChunkSchedule() = default;

  // max_aad_size is the most AAD bytes Params ever writes.
  virtual size_t max_aad_size() const noexcept = 0;

  // Params writes the nonce of chunk `index` to `nonce` and its AAD to the
  // front of `aad` (max_aad_size() bytes), returning the AAD length.
  // `plaintext_size` is the chunk's plaintext length.
  virtual size_t Params(uint64_t index, bool final, size_t plaintext_size,
                        std::span<uint8_t, kNonceSize> nonce,
                        std::span<uint8_t> aad) const noexcept = 0;
};

// ChunkJob is one chunk of a batch. `in` and `out` have the same size and
// may be the same buffer (not otherwise overlapping). `tag` is 16 bytes:
// written by Seal, read by Open.
struct ChunkJob {
  uint64_t index = 0;
  bool final = false;
  std::span<const uint8_t> in;
  std::span<uint8_t> out;
  std::span<uint8_t> tag;
};

// ChunkLoader fills chunks' plaintext just before a thread seals them (or
// their ciphertext and tag just before it opens them), so a format can have
// the engine's threads read their own input (pread from a
// file, say) instead of reading everything on one thread first: the reading
// is spread over the threads, and each chunk is still in the cache of the
// core that encrypts it. Load is called from several threads at once, each
// job once, so it must be safe for that.
class ChunkLoader {
 public:
  virtual ~ChunkLoader() = default;
  // Load writes the plaintext of each job (job.out.size() bytes) to its
  // job.out (when opening: the ciphertext to job.out, the tag to job.tag).
  // `jobs` are neighbours in the batch (a few hundred KiB in all),
  // so a loader can read them with one call.
  [[nodiscard]] virtual Result<void> Load(std::span<const ChunkJob> jobs) noexcept = 0;
};

// SideTask is work the calling thread does while the workers start on a
// batch: reading the next batch, hashing or writing the previous one. The
// caller runs it once, after waking the workers and before it takes chunks
// itself; as threads claim chunks as they come (see Work), the caller then
// gets fewer chunks, so the side task costs little wall time when the
// workers have chunks to spare. It must not touch the batch's buffers; a
// side task reports its own failures (through its own state) to whoever
// owns it. With one thread, or a batch of one chunk, it runs first and then
// the chunks, on the calling thread.
class SideTask {
 public:
  virtual ~SideTask() = default;
  // Run does the work; it must not throw.
  virtual void Run() noexcept = 0;
};

// ChunkEngine runs AES-GCM over batches of chunks. One engine serves one
// stream at a time (Seal/Open must not be called concurrently on the same
// engine); its workers live as long as it does.
class ChunkEngine {
 public:
  // New builds an engine for `key` (16, 24 or 32 bytes) and `schedule`,
  // which must outlive the engine. `threads` is the number of threads that
  // work on a batch, the caller's included: 1 runs everything on the calling
  // thread, 0 means one per usable CPU (UsableCpus). The workers start
  // with the first batch of two or more chunks; if the system refuses a
  // thread then, that batch fails with `internal` (and so does every later
  // one).
  [[nodiscard]] static Result<std::unique_ptr<ChunkEngine>> New(std::span<const uint8_t> key,
                                                                const ChunkSchedule& schedule,
                                                                unsigned threads);

  ~ChunkEngine();
  ChunkEngine(const ChunkEngine&) = delete;
  ChunkEngine& operator=(const ChunkEngine&) = delete;

  // Seal encrypts every job of the batch. With a `loader`, each job is
  // loaded (loader->Load) by the thread that seals it, just before, and its
  // `in` must be its `out` (sealed in place). When a load fails, no job after
  // it is loaded or sealed, every job before it still is, and Seal returns
  // the error of the lowest-numbered load that failed, whatever the thread
  // count or timing; the batch's output is then unusable. A `side` task runs on the calling
  // thread while the workers start (see SideTask), whatever the outcome.
  [[nodiscard]] Result<void> Seal(std::span<const ChunkJob> jobs, ChunkLoader* loader = nullptr,
                                  SideTask* side = nullptr);

  // Open authenticates and decrypts every job of the batch. On failure it
  // returns `auth_failed` with one fixed message, and the output of the
  // first failing job and of every job after it in the batch is zeroed;
  // `*verified_prefix` (if given) is then the number of leading jobs that
  // did verify, which a format may release. On success it is jobs.size().
  // `side` as for Seal. With a `loader`, each job's ciphertext and tag are
  // loaded (loader->Load writes job.out and job.tag) by the thread that
  // opens it, just before, and its `in` must be its `out` (opened in
  // place); a load failure stops the batch as for Seal, and the format must
  // then discard (wipe) the whole batch's output. When both happen, the
  // lowest-numbered failure wins (a load failure counts at the first job
  // of the load), which is what one thread, taking the jobs in order, meets
  // first.
  [[nodiscard]] Result<void> Open(std::span<const ChunkJob> jobs, size_t* verified_prefix = nullptr,
                                  SideTask* side = nullptr, ChunkLoader* loader = nullptr);

  // threads is the number of threads working on a batch (at least 1).
  unsigned threads() const noexcept { return static_cast<unsigned>(lanes_.size()); }

  // BatchChunks suggests how many chunks of `chunk_size` bytes to hand to one
  // call: enough that waking the workers costs little against the AES work
  // (about 1 MiB per thread), and at least 4 per thread.
  size_t BatchChunks(size_t chunk_size) const noexcept;

 private:
  // A lane is one participant: the caller (lane 0) or a worker thread.
  struct Lane {
    crypto::AesGcm gcm;
    std::vector<uint8_t> aad;
  };
  enum class Mode { seal, open };

  ChunkEngine(std::unique_ptr<Lane> caller_lane, unsigned threads, const ChunkSchedule& schedule);
  // StartWorkers starts lanes_.size() - 1 workers and waits until each has
  // built its lane; false (and none left running) when the system refuses a
  // thread or a worker cannot build its lane.
  bool StartWorkers() noexcept;
  void StopWorkers() noexcept;
  Result<void> Run(Mode mode, std::span<const ChunkJob> jobs, ChunkLoader* loader,
                   size_t* verified_prefix, SideTask* side);
  // LoadFailed records the error of the load starting at job `first`; the
  // lowest such job's error wins, and no job after it is started.
  void LoadFailed(size_t first, Error error);
  // Failed records that job `i` failed to seal or open (`internal`: not an
  // authentication failure); no job after it is started.
  void Failed(size_t i, bool internal) noexcept;
  void Work(Lane& lane);
  void WorkerMain(size_t lane_index);

  const ChunkSchedule& schedule_;
  // lanes_[0] is the caller's; lanes_[i] is built by worker i on its thread.
  std::vector<std::unique_ptr<Lane>> lanes_;
  std::vector<std::thread> workers_;
  enum class WorkerState { not_started, running, failed };
  WorkerState worker_state_ = WorkerState::not_started;

  // Hands each batch to the workers (see batch_gate.h).
  BatchGate gate_;
  std::mutex mu_;
  std::condition_variable ready_cv_;
  size_t ready_workers_ = 0;  // under mu_: workers done building their lane (or failing to)
  // The batch in flight, published to the workers by gate_.Open.
  Mode mode_ = Mode::seal;
  std::span<const ChunkJob> jobs_;
  ChunkLoader* loader_ = nullptr;
  std::optional<Error> load_error_;  // under mu_: the lowest failing load's
  size_t load_failure_ = 0;          // under mu_: its first job
  // Every thread bumps next_ once per run of chunks it claims: on a cache
  // line of its own, so that bumping it does not evict what sits next to it
  // (the class's 64-byte alignment pads the line after first_failure_).
  alignas(64) std::atomic<size_t> next_{0};
  // The lowest failing job: of a seal or open (first_failure_), of an
  // internal error among them (internal_failure_), and of any kind,
  // loads included (stop_at_: no thread starts a job after it).
  alignas(64) std::atomic<size_t> first_failure_{0};
  std::atomic<size_t> internal_failure_{0};
  std::atomic<size_t> stop_at_{0};
};

}  // namespace envelope::stream

#endif  // ENVELOPE_LIB_STREAM_CHUNK_ENGINE_H_
