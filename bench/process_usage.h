// bench: ProcessUsage, the whole process's CPU time and context switches
// per benchmark iteration, as Google Benchmark counters.
#ifndef ENVELOPE_BENCH_PROCESS_USAGE_H_
#define ENVELOPE_BENCH_PROCESS_USAGE_H_

#include <benchmark/benchmark.h>
#include <sys/resource.h>

namespace envelope_bench {

// ProcessUsage reports, per iteration, what the whole process spent from
// its construction to Report: CPU time of every thread (`proc_cpu_ms`,
// user + system: the workers' chunks and any spinning, where `cpu_time`
// is the calling thread's alone) and context switches (`ctx_switches`,
// voluntary + involuntary: a thread parking or woken costs one or two).
// On a loaded machine these still say what the hand-off costs, when wall
// time says only what the neighbours left.
class ProcessUsage {
 public:
  ProcessUsage() : start_(Now()) {}
  void Report(benchmark::State& state) const {
    const rusage end = Now();
    auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
    const double cpu = seconds(end.ru_utime) + seconds(end.ru_stime) - seconds(start_.ru_utime) -
                       seconds(start_.ru_stime);
    const double switches =
        static_cast<double>(end.ru_nvcsw + end.ru_nivcsw - start_.ru_nvcsw - start_.ru_nivcsw);
    state.counters["proc_cpu_ms"] =
        benchmark::Counter(cpu * 1e3, benchmark::Counter::kAvgIterations);
    state.counters["ctx_switches"] =
        benchmark::Counter(switches, benchmark::Counter::kAvgIterations);
  }

 private:
  static rusage Now() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return u;
  }
  rusage start_;
};

}  // namespace envelope_bench

#endif  // ENVELOPE_BENCH_PROCESS_USAGE_H_
