// BatchGate: workers join only open batches, Close waits for every worker
// that joined, Stop wakes parked workers, and a worker's spin adapts.
#include "stream/batch_gate.h"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

namespace envelope::stream {
namespace {

using std::chrono::milliseconds;

// SlowCaller opens one batch on its own thread after `delay`, keeps it open
// until the worker says it joined (Joined), then closes it, which waits for
// the worker to leave. Its destructor joins the thread.
class SlowCaller {
 public:
  SlowCaller(BatchGate& gate, milliseconds delay)
      : thread_([this, &gate, delay] {
          std::this_thread::sleep_for(delay);
          gate.Open();
          while (!joined_.load()) std::this_thread::yield();
          gate.Close();
        }) {}
  ~SlowCaller() { thread_.join(); }
  void Joined() { joined_.store(true); }

 private:
  std::atomic<bool> joined_{false};
  std::thread thread_;
};

TEST_CASE("BatchGate: a worker joins only an open batch, and Close waits for it to leave") {
  BatchGate gate;
  std::atomic<bool> open{false};
  std::atomic<int> inside{0};
  std::atomic<int> joins{0};
  std::atomic<int> bad{0};
  int payload = 0;  // written by the caller before Open, read by workers
  std::vector<std::thread> workers;
  for (int w = 0; w < 3; ++w) {
    workers.emplace_back([&] {
      uint64_t seen = 0;
      BatchGate::WaitBudget budget;
      while (gate.Join(&seen, &budget)) {
        inside.fetch_add(1);
        if (!open.load() || payload != static_cast<int>(seen)) bad.fetch_add(1);
        joins.fetch_add(1);
        if (seen % 7 == 0) std::this_thread::sleep_for(std::chrono::microseconds(200));
        inside.fetch_sub(1);
        gate.Leave();
      }
    });
  }
  const int batches = 3000;
  int never_left = 0;
  for (int b = 1; b <= batches; ++b) {
    payload = b;  // batch b is generation b
    open.store(true);
    gate.Open();
    if (b % 500 == 0) std::this_thread::sleep_for(milliseconds(2));  // let workers park
    gate.Close();
    open.store(false);
    if (inside.load() != 0) ++never_left;
  }
  gate.Stop();
  for (auto& t : workers) t.join();
  CHECK(bad.load() == 0);
  CHECK(never_left == 0);
  CHECK(joins.load() > 0);
  CHECK(joins.load() <= 3 * batches);
}

TEST_CASE("BatchGate: Close without workers returns at once; Stop wakes parked workers") {
  BatchGate alone;
  for (int b = 0; b < 10; ++b) {
    alone.Open();
    alone.Close();
  }
  BatchGate gate;
  std::atomic<int> returned{0};
  std::vector<std::thread> workers;
  for (int w = 0; w < 2; ++w) {
    workers.emplace_back([&] {
      uint64_t seen = 0;
      BatchGate::WaitBudget budget;
      CHECK_FALSE(gate.Join(&seen, &budget));
      returned.fetch_add(1);
    });
  }
  std::this_thread::sleep_for(milliseconds(20));  // long past any spin: parked
  CHECK(returned.load() == 0);
  gate.Stop();
  for (auto& t : workers) t.join();
  CHECK(returned.load() == 2);
}

TEST_CASE("BatchGate: a worker spins less after slow batches, fully after a quick one") {
  BatchGate gate;
  uint64_t seen = 0;
  BatchGate::WaitBudget budget;
  CHECK(budget.spin == BatchGate::kMaxSpin);
  // Slow batches: opened 3 ms after the worker starts to wait.
  for (int b = 0; b < 8; ++b) {
    SlowCaller caller(gate, milliseconds(3));
    REQUIRE(gate.Join(&seen, &budget));
    caller.Joined();
    gate.Leave();
    CHECK(budget.spin < BatchGate::kMaxSpin);
  }
  CHECK(budget.spin == std::chrono::nanoseconds::zero());
  // A batch already open when the worker starts to wait.
  gate.Open();
  REQUIRE(gate.Join(&seen, &budget));
  gate.Leave();
  gate.Close();
  CHECK(budget.spin == BatchGate::kMaxSpin);
}

TEST_CASE("BatchGate: without spinning, a worker parks at once and still joins") {
  BatchGate gate(/*spin=*/false);
  uint64_t seen = 0;
  BatchGate::WaitBudget budget;
  {
    SlowCaller caller(gate, milliseconds(2));
    REQUIRE(gate.Join(&seen, &budget));
    caller.Joined();
    gate.Leave();
  }
  CHECK(budget.spin == std::chrono::nanoseconds::zero());
}

}  // namespace
}  // namespace envelope::stream
