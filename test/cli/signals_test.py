#!/usr/bin/env python3
"""Kills `encrypt` and `decrypt` at random points and checks nothing is left.

For each tool and each of SIGKILL, SIGINT, SIGTERM, SIGHUP, 20 runs of a
256 MiB encrypt or decrypt into an output folder get the signal after a
random delay (up to the time a whole run takes). After each run the folder
holds nothing but the completed output: no temporary (named or not), no
partial file. Every other run the destination exists beforehand and --force
is given: afterwards it is either untouched or the complete new output. A
signal other than SIGKILL must end the tool with that signal (the shell's
128 + N), unless it finished first.

Then the race: while the tool runs without --force, the output file is
created by someone else; the tool must refuse (exit 2, "exists") and leave
that file as it was. And without --force an existing destination is refused
up front and left untouched.

The 256 MiB input and the SSE-C key live outside the checked folder. The
whole script takes about 30 s on two cores.

Usage: signals_test.py BUILD_DIR
"""
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time

RUNS = int(os.environ.get("SIGNALS_TEST_RUNS", "20"))  # fewer to try a change quickly
SIZE = 256 << 20
SIGNALS = [signal.SIGKILL, signal.SIGINT, signal.SIGTERM, signal.SIGHUP]
SENTINEL = b"someone else's file\n"


class Failure(Exception):
    pass


def need(cond, why):
    if not cond:
        raise Failure(why)


def default_signals():
    # The tools start as from a shell: default actions, not what the test
    # runner may have inherited (nohup ignores SIGHUP).
    for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, signal.SIG_DFL)


def start(argv):
    return subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, preexec_fn=default_signals)


def writing(pid, folder):
    """Whether process `pid` has an unnamed file in `folder` open."""
    fds = f"/proc/{pid}/fd"
    try:
        for fd in os.listdir(fds):
            target = os.readlink(os.path.join(fds, fd))
            if target.startswith(folder + "/#") or target.startswith(folder + "/."):
                return True
    except OSError:  # the process is gone
        pass
    return False


def sample_equal(a, b, size):
    """Compares size and a few 1 MiB windows of two files (a full compare of
    every run would cost more than the runs)."""
    if os.path.getsize(a) != size or os.path.getsize(b) != size:
        return False
    with open(a, "rb") as fa, open(b, "rb") as fb:
        for at in [0, size - (1 << 20)] + [random.randrange(0, size - (1 << 20)) for _ in range(2)]:
            fa.seek(at)
            fb.seek(at)
            if fa.read(1 << 20) != fb.read(1 << 20):
                return False
    return True


def main():
    build = os.path.abspath(sys.argv[1])
    tools = {t: os.path.join(build, "tools", t) for t in ("encrypt", "decrypt")}
    root = tempfile.mkdtemp(prefix="envelope-signals-")
    started = time.monotonic()
    try:
        inputs = os.path.join(root, "in")
        out = os.path.join(root, "out")
        os.mkdir(inputs)
        os.mkdir(out)
        key = os.path.join(inputs, "key.bin")
        with open(key, "wb") as f:
            f.write(os.urandom(32))
        plain = os.path.join(inputs, "plain.bin")
        with open(plain, "wb") as f:
            block = os.urandom(1 << 20)
            for _ in range(SIZE >> 20):
                f.write(block)
        cipher = os.path.join(inputs, "cipher.bin")
        env_home = os.path.join(root, "home")
        os.environ["ENVELOPE_HOME"] = env_home

        def argv(tool, dest, force):
            src = plain if tool == "encrypt" else cipher
            return ([tools[tool], "-q", "--customer-key-file", key, "-o", dest]
                    + (["--force"] if force else []) + [src])

        # The reference ciphertext, and how long a whole run takes.
        duration = {}
        for tool, dest in (("encrypt", cipher), ("decrypt", os.path.join(inputs, "check.bin"))):
            t0 = time.monotonic()
            proc = start(argv(tool, dest, False))
            _, err = proc.communicate()
            duration[tool] = time.monotonic() - t0
            need(proc.returncode == 0, f"{tool} failed: {err!r}")
        need(sample_equal(plain, os.path.join(inputs, "check.bin"), SIZE), "round trip differs")
        os.unlink(os.path.join(inputs, "check.bin"))
        cipher_size = os.path.getsize(cipher)
        expected = {"encrypt": (cipher, cipher_size), "decrypt": (plain, SIZE)}
        dest = os.path.join(out, "result")
        counts = {"killed": 0, "finished": 0}

        def clear():
            for name in os.listdir(out):
                os.unlink(os.path.join(out, name))

        def complete(tool):
            if tool == "decrypt":
                return sample_equal(dest, plain, SIZE)
            return os.path.getsize(dest) == cipher_size

        for tool in ("encrypt", "decrypt"):
            for sig in SIGNALS:
                for run in range(RUNS):
                    clear()
                    existing = run % 2 == 1
                    if existing:
                        with open(dest, "wb") as f:
                            f.write(SENTINEL)
                    t0 = time.monotonic()
                    proc = start(argv(tool, dest, existing))
                    time.sleep(random.uniform(0, duration[tool]))
                    proc.send_signal(sig)
                    _, err = proc.communicate()
                    if proc.returncode == 0:  # track how long a whole run takes now
                        duration[tool] = min(duration[tool], 0.9 * (time.monotonic() - t0))
                    where = f"{tool}, {sig.name}, run {run}, exit {proc.returncode}, {err!r}"
                    names = os.listdir(out)
                    if proc.returncode == 0:
                        counts["finished"] += 1
                        need(names == ["result"] and complete(tool), f"{where}: output {names}")
                        continue
                    counts["killed"] += 1
                    need(proc.returncode == -sig, f"{where}: not ended by the signal")
                    if existing:
                        # Untouched, or replaced whole just before the signal.
                        need(names == ["result"], f"{where}: left {names}")
                        with open(dest, "rb") as f:
                            head = f.read(len(SENTINEL) + 1)
                        need(head == SENTINEL or complete(tool), f"{where}: destination damaged")
                    else:
                        need(names == [] or (names == ["result"] and complete(tool)),
                             f"{where}: left {names}")

        # An existing destination without --force: refused, untouched.
        for tool in ("encrypt", "decrypt"):
            clear()
            with open(dest, "wb") as f:
                f.write(SENTINEL)
            proc = start(argv(tool, dest, False))
            _, err = proc.communicate()
            need(proc.returncode == 2 and b"exists" in err, f"{tool} overwrote without --force")
            need(open(dest, "rb").read() == SENTINEL and os.listdir(out) == ["result"],
                 f"{tool} touched the existing destination")

        # The race: the output appears while the tool writes it. The tool
        # is caught writing by its unnamed file (O_TMPFILE) in the output
        # folder, seen in /proc as "OUT/#INODE (deleted)"; a tool that
        # finished first is run again.
        for tool in ("encrypt", "decrypt"):
            raced = 0
            for _ in range(20):
                if raced == 3:
                    break
                clear()
                proc = start(argv(tool, dest, False))
                while proc.poll() is None and not writing(proc.pid, out):
                    time.sleep(0.002)
                try:
                    with open(dest, "xb") as f:
                        f.write(SENTINEL)
                except FileExistsError:  # the tool was done already
                    proc.communicate()
                    continue
                _, err = proc.communicate()
                if proc.returncode == 0:
                    need(False, f"{tool} race: the file that appeared was replaced")
                need(proc.returncode == 2, f"{tool} race: exit {proc.returncode}, {err!r}")
                need(b"exists" in err, f"{tool} race: {err!r}")
                need(open(dest, "rb").read() == SENTINEL, f"{tool} race: the new file was replaced")
                need(os.listdir(out) == ["result"], f"{tool} race: left {os.listdir(out)}")
                raced += 1
            need(raced == 3, f"{tool} race: the tool always finished first")

        need(counts["killed"] >= RUNS, f"too few runs were interrupted: {counts}")
        print(f"signals: {counts['killed']} runs interrupted, {counts['finished']} finished first, "
              f"nothing left behind ({time.monotonic() - started:.1f} s; a whole run: "
              f"encrypt {duration['encrypt']:.2f} s, decrypt {duration['decrypt']:.2f} s)")
    except Failure as e:
        print(f"FAIL  {e}")
        sys.exit(1)
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
