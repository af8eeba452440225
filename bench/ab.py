#!/usr/bin/env python3
"""A/B two or more builds of a Google Benchmark binary, alternating them.

  bench/ab.py ROUNDS REPS FILTER BINARY [BINARY ...]

Each round runs every binary once, in the order given, with
--benchmark_filter=FILTER and REPS repetitions interleaved at random, and
prints per binary the min / median wall time (ms) of every benchmark it
ran. On a machine whose speed drifts (a VM whose host is busy), binaries
run minutes apart are not comparable; alternating them round by round is.
Copy the old build's binary aside before rebuilding, e.g.:

    cp build/bench/chunked_bench /tmp/chunked_bench.old   # before the change
    bench/ab.py 3 5 'BM_ChunkedPush' /tmp/chunked_bench.old build/bench/chunked_bench

Standard library only.
"""
import json
import os
import statistics
import subprocess
import sys


def run(binary, reps, flt):
    cmd = [binary, f"--benchmark_filter={flt}", f"--benchmark_repetitions={reps}",
           "--benchmark_enable_random_interleaving=true", "--benchmark_format=json"]
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    if proc.returncode != 0:
        sys.exit(f"ab: {' '.join(cmd)} exited with {proc.returncode}")
    times = {}
    for b in json.loads(proc.stdout)["benchmarks"]:
        if b.get("run_type") != "iteration":
            continue
        scale = {"ns": 1e-6, "us": 1e-3, "ms": 1.0, "s": 1e3}[b.get("time_unit", "ns")]
        name = b["run_name"].removeprefix("BM_").removesuffix("/real_time")
        times.setdefault(name, []).append(b["real_time"] * scale)
    return times


def main():
    if len(sys.argv) < 5 or not sys.argv[1].isdigit() or not sys.argv[2].isdigit():
        sys.exit(__doc__)
    rounds, reps, flt, binaries = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4:]
    for r in range(1, rounds + 1):
        for binary in binaries:
            times = run(binary, reps, flt)
            cells = "  ".join(f"{name}={min(v):.2f}/{statistics.median(v):.2f}"
                              for name, v in sorted(times.items()))
            print(f"round {r} {os.path.basename(binary)}: {cells}", flush=True)


if __name__ == "__main__":
    main()
