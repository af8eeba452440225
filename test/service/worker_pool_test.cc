// WorkerPool: tasks posted from several threads all run, on the pool's own
// threads and concurrently, and the destructor runs what is still queued.
#include "service/worker_pool.h"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

namespace envelope::service {
namespace {

TEST_CASE("WorkerPool: every posted task runs, blocked tasks do not stop the others") {
  std::atomic<int> ran{0};
  std::atomic<int> blocked{0};
  std::atomic<bool> release{false};
  {
    auto pool = WorkerPool::Start(8);
    REQUIRE(pool);
    // Seven tasks wait (as requests wait for an audit flush); the eighth
    // thread keeps running the rest.
    for (int i = 0; i < 7; ++i) {
      (*pool)->Post([&] {
        ++blocked;
        while (!release) std::this_thread::sleep_for(std::chrono::milliseconds(1));
      });
    }
    std::vector<std::thread> posters;
    for (int t = 0; t < 4; ++t) {
      posters.emplace_back([&] {
        for (int i = 0; i < 250; ++i) (*pool)->Post([&] { ++ran; });
      });
    }
    for (auto& p : posters) p.join();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (ran < 1000 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    CHECK(ran == 1000);
    CHECK(blocked == 7);
    release = true;
  }
  // Queued work is run, not dropped, when the pool is destroyed.
  std::atomic<int> late{0};
  {
    auto pool = WorkerPool::Start(1);
    REQUIRE(pool);
    for (int i = 0; i < 100; ++i) (*pool)->Post([&] { ++late; });
  }
  CHECK(late == 100);
}

}  // namespace
}  // namespace envelope::service
