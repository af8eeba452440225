#!/usr/bin/env python3
"""A message with 32 MiB frames written by the ESDK for JavaScript (which the
format allows: frames up to 2^32 - 1 bytes) through `decrypt`: refused (exit
3, nothing written) naming --max-frame-size and nothing else without it,
read whole and by --range with --max-frame-size 64M. `envelope inspect`
likewise needs --max-frame-size. About 10 s.

Usage: frame_limit_test.py BUILD_DIR NODE ESDK_MJS
"""
import os
import subprocess
import sys
import tempfile

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)


def main():
    build, node, script = sys.argv[1:4]
    tools = os.path.join(build, "tools")
    with tempfile.TemporaryDirectory(prefix="envelope-frames-") as work:
        os.environ["ENVELOPE_HOME"] = os.path.join(work, "home")
        plain, key, msg = (os.path.join(work, n) for n in ("plain", "aes.key", "js32.enc"))
        data = os.urandom(40 << 20)
        with open(plain, "wb") as f:
            f.write(data)
        with open(key, "wb") as f:
            f.write(os.urandom(32))
        r = subprocess.run([node, script, "encrypt", "--in", plain, "--out", msg, "--keyring",
                            "aes", "--key-file", key, "--key-namespace", "ns", "--key-name", "k1",
                            "--suite", "0x0478", "--frame-length", str(32 << 20)],
                           capture_output=True, timeout=120)
        if r.returncode != 0:
            print("FAIL the ESDK for JavaScript: " + r.stderr.decode())
            print("hint: run `npm ci --prefix test/interop`")
            return 1
        decrypt = [os.path.join(tools, "decrypt"), "--wrapping-key",
                   f"provider=ns,key=k1,file={key}"]
        out = os.path.join(work, "out")
        r = subprocess.run(decrypt + ["-o", out, msg], capture_output=True, timeout=60)
        check(r.returncode == 3, f"without --max-frame-size: exit {r.returncode}")
        check(b"frame length 33554432 is over --max-frame-size 16M" in r.stderr,
              f"without --max-frame-size: {r.stderr.decode()}")
        check(b"max_frame_length" not in r.stderr and b"--max-buffer" not in r.stderr,
              f"the error names something else: {r.stderr.decode()}")
        check(not os.path.exists(out), "without --max-frame-size: output written")
        r = subprocess.run(decrypt + ["--max-frame-size", "64M", "-o", out, msg],
                           capture_output=True, timeout=60)
        check(r.returncode == 0, f"--max-frame-size 64M: exit {r.returncode}: {r.stderr.decode()}")
        if r.returncode == 0:
            with open(out, "rb") as f:
                check(f.read() == data, "--max-frame-size 64M: plaintext differs")
        start = (32 << 20) - 5
        r = subprocess.run(decrypt + ["--max-frame-size", "64M", "--range", f"{start}:10", "-o",
                                      "-", msg], capture_output=True, timeout=60)
        check(r.returncode == 0 and r.stdout == data[start:start + 10],
              f"--range across the 32 MiB frame boundary: {r.stderr.decode()}")
        inspect = [os.path.join(tools, "envelope"), "inspect"]
        r = subprocess.run(inspect + [msg], capture_output=True, timeout=60)
        check(r.returncode == 3, f"inspect without --max-frame-size: exit {r.returncode}")
        r = subprocess.run(inspect + ["--max-frame-size", "32M", msg], capture_output=True,
                           timeout=60)
        check(r.returncode == 0 and b"frame length:    33554432" in r.stdout,
              f"inspect --max-frame-size 32M: {r.stdout.decode()} {r.stderr.decode()}")
    for f in failures:
        print("FAIL " + f)
    print(f"frame limit: {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
