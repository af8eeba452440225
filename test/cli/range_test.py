#!/usr/bin/env python3
"""decrypt --range on a 1 GiB message: only a few frames or chunks are read.

A 1 GiB plaintext of zeros (from /dev/zero, nothing stored but the
ciphertext) is encrypted once as an envelope message (64 KiB frames) and once
as a C2SP file. For ranges at the start, across a frame or chunk boundary in
the middle and at the end, `decrypt -v --range` must write exactly those
bytes and report (its own read accounting: every pread of the input is
counted) that it read less than 1 MiB of the 1 GiB: the header, the frames or
chunks of the range and the final one. A range past the end fails with exit
2 and writes nothing. About 15 s on two cores, most of it encrypting.

Usage: range_test.py BUILD_DIR
"""
import os
import re
import subprocess
import sys
import tempfile

SIZE = 1 << 30
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)


def make(tool_dir, work, name, extra):
    path = os.path.join(work, name)
    with subprocess.Popen(["head", "-c", str(SIZE), "/dev/zero"], stdout=subprocess.PIPE) as zeros:
        r = subprocess.run([os.path.join(tool_dir, "encrypt"), "-q", "--customer-key-file",
                            os.path.join(work, "k.bin"), "-o", path] + extra,
                           stdin=zeros.stdout, capture_output=True, timeout=120)
    check(r.returncode == 0, f"{name}: encrypt failed: {r.stderr.decode()}")
    return path


def ranges(tool_dir, work, path, boundary):
    cases = [("0:100", 0, 100),
             (f"{boundary - 10}:20", boundary - 10, 20),  # across a frame/chunk boundary
             (f"{SIZE // 2 + boundary - 7}-{SIZE // 2 + boundary + 7}", SIZE // 2 + boundary - 7, 15),
             ("600M:100K", 600 << 20, 100 << 10),
             (f"{SIZE - 5}:100", SIZE - 5, 5),  # runs past the end: cut there
             ("1G:", SIZE, 0)]  # empty, at the end
    for spec, start, length in cases:
        out = os.path.join(work, "range.out")
        r = subprocess.run([os.path.join(tool_dir, "decrypt"), "-v", "-f", "--customer-key-file",
                            os.path.join(work, "k.bin"), "--range", spec, "-o", out, path],
                           capture_output=True, timeout=60)
        what = f"{os.path.basename(path)} --range {spec}"
        if r.returncode != 0:
            check(False, f"{what}: exit {r.returncode}: {r.stderr.decode()}")
            continue
        with open(out, "rb") as f:
            data = f.read()
        check(len(data) == length and data == bytes(length),
              f"{what}: wrote {len(data)} bytes, want {length} zeros")
        m = re.search(rb"read (\d+) of (\d+) bytes .* in (\d+) reads", r.stderr)
        check(m is not None, f"{what}: no read accounting on stderr: {r.stderr.decode()}")
        if m:
            read, total = int(m.group(1)), int(m.group(2))
            # the header, the final frame and the frames of the range: a few
            # 64 KiB frames beyond the range itself
            check(read < length + (256 << 10), f"{what}: read {read} of {total} bytes")
            check(total > SIZE, f"{what}: total {total}")
        print(f"{what}: ok, {m.group(1).decode() if m else '?'} bytes read")
    out = os.path.join(work, "past.out")
    r = subprocess.run([os.path.join(tool_dir, "decrypt"), "--customer-key-file",
                        os.path.join(work, "k.bin"), "--range", f"{SIZE + 1}:1", "-o", out, path],
                       capture_output=True, timeout=60)
    check(r.returncode == 2 and b"past the end" in r.stderr,
          f"past the end: exit {r.returncode}: {r.stderr.decode()}")
    check(not os.path.exists(out), "past the end: an output was written")


def main():
    tool_dir = os.path.join(sys.argv[1], "tools")
    with tempfile.TemporaryDirectory(prefix="envelope-range-") as work:
        os.environ["ENVELOPE_HOME"] = os.path.join(work, "home")
        with open(os.path.join(work, "k.bin"), "wb") as f:
            f.write(os.urandom(32))
        path = make(tool_dir, work, "big.enc", [])
        if not failures:
            ranges(tool_dir, work, path, 65536)
        os.unlink(path)
        path = make(tool_dir, work, "big.c2sp", ["--format", "c2sp"])
        if not failures:
            ranges(tool_dir, work, path, 16384)
    for f in failures:
        print("FAIL " + f)
    print(f"range: {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
