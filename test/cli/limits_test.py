#!/usr/bin/env python3
"""The decoding limits from the command line, each error naming its own flag.

A 300 MiB signed message (zeros from /dev/zero) decrypted to a pipe: by
default its plaintext is held until the signature verifies and 300 MiB is
over --max-buffer 256M, so it fails (exit 3) naming --max-buffer and
nothing of the library; with --max-buffer 512M, and with
--unverified-streaming, all 300 MiB come out. Frames over 16 MiB: encrypt
--frame-size 32M is refused naming --max-frame-size, and allowed with it;
decrypt refuses such a message naming --max-frame-size and reads it with
--max-frame-size 64M. About 25 s on two cores.

Usage: limits_test.py BUILD_DIR
"""
import hashlib
import os
import subprocess
import sys
import tempfile

failures = []
LIBRARY_NAMES = [b"max_buffered_plaintext", b"allow_unverified_streaming", b"max_frame_length"]


def check(cond, what):
    if not cond:
        failures.append(what)


def no_library_names(stderr, what):
    for name in LIBRARY_NAMES:
        check(name not in stderr, f"{what}: the error names {name.decode()}: {stderr.decode()}")


def encrypt_zeros(tool_dir, work, size, out, extra):
    with subprocess.Popen(["head", "-c", str(size), "/dev/zero"], stdout=subprocess.PIPE) as zeros:
        r = subprocess.run([os.path.join(tool_dir, "encrypt"), "-q", "--customer-key-file",
                            os.path.join(work, "k.bin"), "-o", out] + extra,
                           stdin=zeros.stdout, capture_output=True, timeout=120)
    check(r.returncode == 0, f"encrypt {extra}: {r.stderr.decode()}")
    return r


def decrypt_to_pipe(tool_dir, work, path, extra):
    """Runs decrypt with standard output a pipe; returns (exit, stderr, bytes, sha256)."""
    p = subprocess.Popen([os.path.join(tool_dir, "decrypt"), "-q", "--customer-key-file",
                          os.path.join(work, "k.bin"), "-o", "-", path] + extra,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    h = hashlib.sha256()
    n = 0
    while True:
        block = p.stdout.read(1 << 20)
        if not block:
            break
        h.update(block)
        n += len(block)
    err = p.stderr.read()
    return p.wait(timeout=120), err, n, h.hexdigest()


def main():
    tool_dir = os.path.join(sys.argv[1], "tools")
    with tempfile.TemporaryDirectory(prefix="envelope-limits-") as work:
        os.environ["ENVELOPE_HOME"] = os.path.join(work, "home")
        with open(os.path.join(work, "k.bin"), "wb") as f:
            f.write(os.urandom(32))

        size = 300 << 20
        zeros = hashlib.sha256(bytes(size)).hexdigest()
        signed = os.path.join(work, "signed.enc")
        encrypt_zeros(tool_dir, work, size, signed, ["--suite", "signed"])
        rc, err, n, _ = decrypt_to_pipe(tool_dir, work, signed, [])
        check(rc == 3, f"signed, default --max-buffer: exit {rc}")
        check(b"over --max-buffer 256M" in err, f"signed, default: {err.decode()}")
        check(n == 0, f"signed, default: {n} unverified bytes reached the pipe")
        no_library_names(err, "signed, default")
        for extra in (["--max-buffer", "512M"], ["--unverified-streaming"]):
            rc, err, n, digest = decrypt_to_pipe(tool_dir, work, signed, extra)
            check(rc == 0 and n == size and digest == zeros,
                  f"signed {extra}: exit {rc}, {n} bytes: {err.decode()}")
            print(f"300 MiB signed to a pipe with {' '.join(extra)}: exit {rc}, {n} bytes")
        os.unlink(signed)

        big = os.path.join(work, "frames32m.enc")
        r = subprocess.run([os.path.join(tool_dir, "encrypt"), "--customer-key-file",
                            os.path.join(work, "k.bin"), "--frame-size", str(32 << 20), "-o",
                            big, "/dev/null"], capture_output=True, timeout=60)
        check(r.returncode == 2 and b"--max-frame-size" in r.stderr and not os.path.exists(big),
              f"encrypt --frame-size 32M: exit {r.returncode}: {r.stderr.decode()}")
        no_library_names(r.stderr, "encrypt --frame-size 32M")
        encrypt_zeros(tool_dir, work, 40 << 20, big,
                      ["--frame-size", str(32 << 20), "--max-frame-size", "32M"])
        rc, err, n, _ = decrypt_to_pipe(tool_dir, work, big, [])
        check(rc == 3 and b"is over --max-frame-size 16M" in err and n == 0,
              f"decrypt 32 MiB frames: exit {rc}: {err.decode()}")
        no_library_names(err, "decrypt 32 MiB frames")
        rc, err, n, digest = decrypt_to_pipe(tool_dir, work, big, ["--max-frame-size", "64M"])
        check(rc == 0 and n == 40 << 20 and digest == hashlib.sha256(bytes(n)).hexdigest(),
              f"decrypt 32 MiB frames --max-frame-size 64M: exit {rc}: {err.decode()}")
        r = subprocess.run([os.path.join(tool_dir, "decrypt"), "--max-frame-size", "4G"],
                           capture_output=True, timeout=60)
        check(r.returncode == 2 and b"--max-frame-size" in r.stderr,
              f"--max-frame-size 4G: exit {r.returncode}: {r.stderr.decode()}")
    for f in failures:
        print("FAIL " + f)
    print(f"limits: {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
