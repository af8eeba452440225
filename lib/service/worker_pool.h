// lib/service: a fixed set of threads that run the requests' blocking work.
//
// The HTTP server's own threads (one per core) only parse and write; a
// KMS request blocks while its audit line is flushed (group commit, see
// lib/kms/audit_batch.h), and a flush is shared by every request waiting at
// that moment. So requests run here, on enough threads that many of them can
// wait on one flush, and the server threads stay free to read the next ones.
#ifndef ENVELOPE_LIB_SERVICE_WORKER_POOL_H_
#define ENVELOPE_LIB_SERVICE_WORKER_POOL_H_

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "envelope/error.hpp"

namespace envelope::service {

// WorkerPool runs posted tasks on `threads` threads, first in first out.
// Post may be called from any thread. The destructor runs what is queued,
// then joins.
class WorkerPool {
 public:
  // Start creates the threads; `internal` when the system refuses them.
  [[nodiscard]] static Result<std::unique_ptr<WorkerPool>> Start(unsigned threads);

  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;
  ~WorkerPool();

  // Post queues `task`. A task must not throw (one that does ends the
  // process, as any uncaught exception on a thread does).
  void Post(std::function<void()> task);

 private:
  WorkerPool() = default;
  void Work();

  std::mutex mu_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> tasks_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace envelope::service

#endif  // ENVELOPE_LIB_SERVICE_WORKER_POOL_H_
