#!/usr/bin/env python3
"""Whole commands on one file from the page cache to /dev/null, interleaved.

  bench/whole_commands.py [BUILD_DIR] [--size-mib 1024] [--rounds 11] [--no-age]

Runs, in a fresh random order every round: `cat`, `encrypt`, `decrypt`,
`encrypt --threads 1`, `decrypt --threads 1`, `openssl enc -aes-256-ctr`
(encrypt and decrypt) and `age` (encrypt and decrypt; installed with
apt-get when missing, as bench/cli_compare.sh does). Each command is
spawned directly (no shell), its output to /dev/null, and waited for with
wait4(2), which gives its wall time and CPU time (user + system, the
process and its threads); GNU time around it gives its peak RSS. The machine is shared: CPU time is what a
command costs whatever its neighbours do, wall time is what it takes on
this machine at that moment; both are reported as the minimum and the
median over the rounds, with ratios to `cat` of the same file.
Prints a markdown table. Not part of the test suite.
"""
import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

TIME = "/usr/bin/time"  # GNU time, for the peak RSS (Debian package "time")


def run(argv, env, rss_file):
    """Spawns argv under GNU time, stdout to /dev/null; returns (wall, cpu, rss_mib, rc).

    Wall and CPU time come from wait4(2) (CPU: user + system of the command
    and its threads; GNU time's own share is about a millisecond). Peak RSS
    comes from GNU time (%M), not from wait4: a process spawned from this
    Python process starts with Python's high-water mark in its ru_maxrss.
    """
    with open(os.devnull, "wb") as null:
        timed = [TIME, "-f", "%M", "-o", rss_file] + argv
        start = time.perf_counter()
        pid = os.posix_spawn(TIME, timed, env,
                             file_actions=[(os.POSIX_SPAWN_DUP2, null.fileno(), 1)])
        _, status, usage = os.wait4(pid, 0)
        wall = time.perf_counter() - start
    with open(rss_file) as f:
        rss_kib = int(f.read().split()[-1])
    return (wall, usage.ru_utime + usage.ru_stime, rss_kib / 1024,
            os.waitstatus_to_exitcode(status))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("build", nargs="?", default="build")
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--rounds", type=int, default=11)
    parser.add_argument("--no-age", action="store_true")
    args = parser.parse_args()
    build = os.path.abspath(args.build)
    enc, dec = f"{build}/tools/encrypt", f"{build}/tools/decrypt"
    for tool in (enc, dec):
        if not os.access(tool, os.X_OK):
            sys.exit(f"whole_commands: build the tools first ({tool})")
    use_age = not args.no_age
    missing = ([] if os.access(TIME, os.X_OK) else ["time"]) + \
              (["age"] if use_age and not shutil.which("age") else [])
    if missing:
        print(f"whole_commands: installing {' '.join(missing)} (apt-get)", file=sys.stderr)
        subprocess.run("apt-get update -qq && DEBIAN_FRONTEND=noninteractive "
                       "apt-get install -y -qq " + " ".join(missing), shell=True, check=True,
                       stdout=sys.stderr)
    cat, openssl = shutil.which("cat"), shutil.which("openssl")
    age, age_keygen = shutil.which("age"), shutil.which("age-keygen")

    work = tempfile.mkdtemp(prefix="whole-commands-")
    try:
        env = dict(os.environ, ENVELOPE_HOME=f"{work}/keystore")
        data = f"{work}/in.bin"
        print(f"whole_commands: preparing {args.size_mib} MiB of random bytes in {work}",
              file=sys.stderr)
        with open(data, "wb") as f:
            for _ in range(args.size_mib):
                f.write(os.urandom(1 << 20))
        with open(f"{work}/pass.txt", "w") as f:
            f.write("bench passphrase\n")
        ossl = [openssl, "enc", "-aes-256-ctr", "-pbkdf2", "-pass", f"file:{work}/pass.txt"]
        subprocess.run([enc, "-o", f"{work}/in.enc", data], env=env, check=True)
        subprocess.run(ossl + ["-in", data, "-out", f"{work}/in.ossl"], check=True)
        commands = {
            "cat": [cat, data],
            "encrypt": [enc, "-o", "/dev/null", data],
            "decrypt": [dec, "-o", "/dev/null", f"{work}/in.enc"],
            "encrypt --threads 1": [enc, "--threads", "1", "-o", "/dev/null", data],
            "decrypt --threads 1": [dec, "--threads", "1", "-o", "/dev/null", f"{work}/in.enc"],
            "openssl enc -aes-256-ctr": ossl + ["-in", data, "-out", "/dev/null"],
            "openssl enc -d": ossl + ["-d", "-in", f"{work}/in.ossl", "-out", "/dev/null"],
        }
        if use_age:
            subprocess.run([age_keygen, "-o", f"{work}/age.key"], check=True,
                           stderr=subprocess.DEVNULL)
            recipient = subprocess.run([age_keygen, "-y", f"{work}/age.key"], check=True,
                                       stdout=subprocess.PIPE, text=True).stdout.strip()
            subprocess.run([age, "-r", recipient, "-o", f"{work}/in.age", data], check=True)
            commands["age encrypt"] = [age, "-r", recipient, "-o", "/dev/null", data]
            commands["age decrypt"] = [age, "-d", "-i", f"{work}/age.key", "-o", "/dev/null",
                                       f"{work}/in.age"]
        # Everything into the page cache once.
        for name in os.listdir(work):
            if os.path.isfile(f"{work}/{name}"):
                subprocess.run([cat, f"{work}/{name}"], stdout=subprocess.DEVNULL)

        results = {label: [] for label in commands}
        for _ in range(args.rounds):
            order = list(commands.items())
            random.shuffle(order)
            for label, argv in order:
                wall, cpu, rss, rc = run(argv, env, f"{work}/rss.txt")
                if rc != 0:
                    print(f"whole_commands: {label} exited {rc}", file=sys.stderr)
                results[label].append((wall, cpu, rss))
    finally:
        shutil.rmtree(work, ignore_errors=True)

    def stat(label, i, f):
        return f([r[i] for r in results[label]])

    cat_wall, cat_cpu = stat("cat", 0, min), stat("cat", 1, min)
    load = os.getloadavg()
    print(f"{args.size_mib} MiB from the page cache to /dev/null, {args.rounds} interleaved "
          f"rounds; load average at the end {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}\n")
    print("| command | wall min | wall median | CPU min (user+sys) | CPU median | "
          "wall min / cat | CPU min / cat | peak RSS (MiB) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for label in commands:
        print(f"| {label} | {stat(label, 0, min):.3f} s | {stat(label, 0, statistics.median):.3f} s"
              f" | {stat(label, 1, min):.3f} s | {stat(label, 1, statistics.median):.3f} s"
              f" | {stat(label, 0, min) / cat_wall:.2f}x | {stat(label, 1, min) / cat_cpu:.2f}x"
              f" | {stat(label, 2, max):.1f} |")


if __name__ == "__main__":
    main()
