#!/usr/bin/env python3
"""Start-to-exit latency of one command, without a shell in between.

  bench/spawn_latency.py RUNS PROGRAM [ARGS...]

Runs PROGRAM (a path) RUNS times with posix_spawn, standard output to
/dev/null, waits for it, and prints the best and the median wall time. A
shell or GNU time around a short command costs more than the command itself
on a slow-to-fork machine; this measures the command alone.
"""
import os
import statistics
import sys
import time


def main():
    if len(sys.argv) < 3 or not sys.argv[1].isdigit():
        sys.exit(__doc__)
    runs = int(sys.argv[1])
    argv = sys.argv[2:]
    devnull = os.open(os.devnull, os.O_WRONLY)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        pid = os.posix_spawn(argv[0], argv, os.environ,
                             file_actions=[(os.POSIX_SPAWN_DUP2, devnull, 1)])
        _, status = os.waitpid(pid, 0)
        times.append(time.perf_counter() - start)
        if os.waitstatus_to_exitcode(status) != 0:
            print(f"spawn_latency: exit {os.waitstatus_to_exitcode(status)}", file=sys.stderr)
    print(f"best {min(times) * 1e3:.2f} ms  median {statistics.median(times) * 1e3:.2f} ms  "
          + " ".join(argv))


if __name__ == "__main__":
    main()
