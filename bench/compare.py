#!/usr/bin/env python3
"""Run a wrapper-versus-bare benchmark binary and print the ratios.

Runs the Google Benchmark binary with --benchmark_format=json and
--benchmark_repetitions=N, takes the median (or --stat min) time of every benchmark over
the repetitions (CPU time by default: steadier than wall time on a shared
machine; --time real for wall time), pairs BM_<Op>Wrapper/<size> with BM_<Op>Bare/<size> and
prints a markdown table of wrapper/bare time ratios (1.00 = no overhead,
1.05 = the wrapper takes 5% longer) and the throughputs those medians give.

    bench/compare.py build/bench/aes_gcm_bench --repetitions 10
    bench/compare.py build/bench/aes_gcm_bench -r 3 -- --benchmark_min_time=0.1

Standard library only.
"""

import argparse
import json
import re
import statistics
import subprocess
import sys

NAME = re.compile(r"^BM_(?P<op>[A-Za-z0-9]+?)(?P<impl>Wrapper|Bare)/(?P<size>\d+)$")


def human_size(n):
    for unit, scale in (("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= scale and n % scale == 0:
            return f"{n // scale} {unit}"
    return f"{n} B"


def run(binary, repetitions, extra):
    cmd = [binary, "--benchmark_format=json",
           f"--benchmark_repetitions={repetitions}"] + extra
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        sys.exit(f"compare: error: {' '.join(cmd)} exited with {proc.returncode}")
    try:
        return json.loads(proc.stdout)
    except json.JSONDecodeError as e:
        sys.exit(f"compare: error: benchmark output is not JSON: {e}")


def summarize(doc, field, stat):
    """Median or minimum time in ns (field: cpu_time or real_time) per benchmark."""
    times = {}
    for b in doc.get("benchmarks", []):
        if b.get("run_type", "iteration") != "iteration":
            continue  # our own median below, from the individual repetitions
        if b.get("error_occurred"):
            sys.exit(f"compare: error: {b['name']}: {b.get('error_message', 'failed')}")
        name = b.get("run_name", b["name"])
        scale = {"ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9}[b.get("time_unit", "ns")]
        times.setdefault(name, []).append(b[field] * scale)
    pick = statistics.median if stat == "median" else min
    return {k: pick(v) for k, v in times.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("binary", help="benchmark binary, e.g. build/bench/aes_gcm_bench")
    parser.add_argument("-r", "--repetitions", type=int, default=5,
                        help="repetitions per benchmark (default 5)")
    parser.add_argument("--time", choices=("cpu", "real"), default="cpu",
                        help="which time to compare (default cpu)")
    parser.add_argument("--stat", choices=("median", "min"), default="median",
                        help="statistic over the repetitions (default median; min is the "
                             "steadier estimate on a machine with noisy neighbours)")
    argv = sys.argv[1:]
    extra = []
    if "--" in argv:  # everything after -- goes to the benchmark binary
        extra = argv[argv.index("--") + 1:]
        argv = argv[:argv.index("--")]
    args = parser.parse_args(argv)
    if args.repetitions < 1:
        parser.error("--repetitions must be at least 1")

    doc = run(args.binary, args.repetitions, extra)
    times = summarize(doc, f"{args.time}_time", args.stat)
    other_stat = "min" if args.stat == "median" else "median"
    other = summarize(doc, f"{args.time}_time", other_stat)
    pairs = {}
    for name in times:
        m = NAME.match(name)
        if m:
            key = (m["op"], int(m["size"]))
            pairs.setdefault(key, {})[m["impl"]] = name
    rows = [(op, size, p) for (op, size), p in sorted(pairs.items()) if len(p) == 2]
    if not rows:
        sys.exit("compare: error: no BM_<Op>Wrapper/<size> and BM_<Op>Bare/<size> pairs found")

    ctx = doc.get("context", {})
    print(f"{args.binary}: {args.stat} {args.time} time of {args.repetitions} repetitions, "
          f"{ctx.get('num_cpus', '?')} CPUs at {ctx.get('mhz_per_cpu', '?')} MHz, "
          f"google-benchmark library built as {ctx.get('library_build_type', '?')}")
    print()
    print(f"| op | size | wrapper | bare | wrapper/bare time | ({other_stat}) |")
    print("|---|---:|---:|---:|---:|---:|")
    for op, size, p in rows:
        w, b = p["Wrapper"], p["Bare"]
        ratio = times[w] / times[b]
        def rate(n):
            return f"{size / times[n]:.2f} GB/s"  # bytes per ns = GB/s
        print(f"| {op.lower()} | {human_size(size)} | {rate(w)} | {rate(b)} | {ratio:.3f} "
              f"| {other[w] / other[b]:.3f} |")


if __name__ == "__main__":
    main()
