#!/usr/bin/env python3
"""The decoding limits from the command line, each error naming its own flag.

A 300 MiB signed message (zeros from /dev/zero) decrypted to a pipe: by
default its plaintext is held until the signature verifies and 300 MiB is
over --max-buffer 256M, so it fails (exit 3) naming --max-buffer and
nothing of the library; with --max-buffer 512M, and with
--unverified-streaming, all 300 MiB come out. Frames over 16 MiB: encrypt
--frame-size 32M is refused naming --max-frame-size, and allowed with it;
decrypt refuses such a message naming --max-frame-size and reads it with
--max-frame-size 64M. A legacy v1 message is refused naming the CLI's own
--commitment-policy spelling, and encrypt refuses forbid-encrypt-allow-decrypt
at parse time. About 25 s on two cores.

Usage: limits_test.py BUILD_DIR VECTORS_DIR
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


def legacy_v1(tool_dir, work, vectors):
    """A v1 message (suite 0x0078) of the ESDK vectors: refused by default
    with the CLI's spelling of the policy that reads it, read with it."""
    base = os.path.join(os.environ.get("ENVELOPE_VECTORS_DIR", vectors), "esdk", "v4-Net-4.0.1")
    msg = os.path.join(base, "ciphertexts",
                       "0078-ec_len_2-cmm_Default-f919668a-245f-4d8d-9a7e-a7fd8ae8e37b")
    with open(os.path.join(base, "plaintexts", "small"), "rb") as f:  # missing: fail loudly
        plain = f.read()
    key = os.path.join(work, "aes-256.key")
    with open(key, "wb") as f:
        f.write(bytes.fromhex("000102030405060708091011121314151617181920212223242526272829"
                              "3031"))  # keys.json "aes-256"
    decrypt = [os.path.join(tool_dir, "decrypt"), "--wrapping-key",
               f"provider=aws-raw-vectors-persistant,key=aes-256,file={key}", "-o", "-"]
    r = subprocess.run(decrypt + [msg], capture_output=True, timeout=60)
    check(r.returncode != 0 and r.stdout == b"", f"v1 by default: exit {r.returncode}")
    check(b"--commitment-policy require-encrypt-allow-decrypt" in r.stderr and
          b"require_encrypt_allow_decrypt" not in r.stderr, f"v1 by default: {r.stderr.decode()}")
    policy = ["--commitment-policy", "require-encrypt-allow-decrypt"]
    r = subprocess.run(decrypt + policy + [msg], capture_output=True, timeout=60)
    check(r.returncode == 0 and r.stdout == plain, f"v1 with the policy: {r.stderr.decode()}")
    r = subprocess.run(decrypt + policy + ["--range", "10:10", msg], capture_output=True,
                       timeout=60)
    check(r.returncode == 0 and r.stdout == plain[10:20], f"v1 --range: {r.stderr.decode()}")
    r = subprocess.run([os.path.join(tool_dir, "encrypt"), "--commitment-policy",
                        "forbid-encrypt-allow-decrypt", "/dev/null"], capture_output=True,
                       timeout=60)
    check(r.returncode == 2 and b"forbids the committing messages encrypt writes" in r.stderr,
          f"encrypt --commitment-policy forbid-encrypt-allow-decrypt: {r.stderr.decode()}")


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
        legacy_v1(tool_dir, work, sys.argv[2])
    for f in failures:
        print("FAIL " + f)
    print(f"limits: {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
