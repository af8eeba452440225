#!/usr/bin/env python3
"""Whole-command timing with the commands interleaved in random order.

  bench/interleave.py ROUNDS 'label=shell command' ['label=shell command' ...]

Each round runs every command once (through /bin/sh, output discarded), in
a fresh random order, and records its wall time, so that a slow spell of a
noisy machine falls on all commands alike. Prints the best and the median
per command. A command that exits non-zero is reported and still counted.
"""
import random
import statistics
import subprocess
import sys
import time


def main():
    if len(sys.argv) < 3 or not sys.argv[1].isdigit():
        sys.exit(__doc__)
    rounds = int(sys.argv[1])
    commands = []
    for arg in sys.argv[2:]:
        label, sep, command = arg.partition("=")
        if not sep:
            sys.exit("interleave: expected label=command, got " + repr(arg))
        commands.append((label, command))
    times = {label: [] for label, _ in commands}
    for _ in range(rounds):
        order = commands[:]
        random.shuffle(order)
        for label, command in order:
            start = time.perf_counter()
            done = subprocess.run(command, shell=True, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
            times[label].append(time.perf_counter() - start)
            if done.returncode != 0:
                print(f"interleave: {label} exited {done.returncode}", file=sys.stderr)
    width = max(len(label) for label, _ in commands)
    for label, _ in commands:
        t = times[label]
        print(f"{label:{width}}  best {min(t):.3f} s  median {statistics.median(t):.3f} s")


if __name__ == "__main__":
    main()
