#include "service/worker_pool.h"

#include <system_error>

namespace envelope::service {

Result<std::unique_ptr<WorkerPool>> WorkerPool::Start(unsigned threads) {
  std::unique_ptr<WorkerPool> pool(new WorkerPool());
  try {
    for (unsigned i = 0; i < std::max(1u, threads); ++i) {
      pool->threads_.emplace_back([p = pool.get()] { p->Work(); });
    }
  } catch (const std::system_error& e) {
    return MakeError(ErrorCode::internal,
                     std::string("worker pool: cannot start threads: ") + e.what());
  }
  return pool;
}

WorkerPool::~WorkerPool() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  ready_.notify_all();
  for (std::thread& t : threads_) t.join();
}

void WorkerPool::Post(std::function<void()> task) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    tasks_.push_back(std::move(task));
  }
  ready_.notify_one();
}

void WorkerPool::Work() {
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock<std::mutex> lock(mu_);
      ready_.wait(lock, [this] { return stopping_ || !tasks_.empty(); });
      if (tasks_.empty()) return;  // stopping, and nothing left to run
      task = std::move(tasks_.front());
      tasks_.pop_front();
    }
    task();
  }
}

}  // namespace envelope::service
