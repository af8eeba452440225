#!/usr/bin/env python3
"""The Wycheproof C2SP chunked-encryption vectors through the decrypt tool.

Each vector's key goes to `decrypt --customer-key-file` (hex), its context to
--c2sp-context-hex. Every valid vector must decrypt, with the format
detected from the file (no --format), to a plaintext of msgLength bytes
whose SHA-512 is msgSha512; the two longest also by --range across chunk
boundaries and at the end, which must match the same bytes of the whole
plaintext, and one through a pipe. Every invalid vector must fail (exit 2
for a key of the wrong size, else 3) and leave no output file, also with
--range 0: (a range that avoids the damage may decrypt: random access reads
only the chunks it needs).

Usage: c2sp_vectors_test.py BUILD_DIR VECTORS_DIR
"""
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import zlib

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)


def main():
    decrypt = os.path.join(sys.argv[1], "tools", "decrypt")
    path = os.path.join(os.environ.get("ENVELOPE_VECTORS_DIR", sys.argv[2]), "wycheproof",
                        "c2sp_chunked_encryption_aes_256_gcm_test.json")
    with open(path) as f:  # missing vectors fail loudly
        suite = json.load(f)
    valid = invalid = 0
    with tempfile.TemporaryDirectory(prefix="envelope-c2sp-") as work:
        os.environ["ENVELOPE_HOME"] = os.path.join(work, "home")
        for group in suite["testGroups"]:
            for t in group["tests"]:
                name = f"tcId {t['tcId']} ({t['comment']})"
                ct = zlib.decompress(bytes.fromhex(t["ct"]))
                enc = os.path.join(work, f"{t['tcId']}.c2sp")
                key = os.path.join(work, "key.hex")
                out = os.path.join(work, f"{t['tcId']}.out")
                with open(enc, "wb") as f:
                    f.write(ct)
                with open(key, "w") as f:
                    f.write(t["key"])
                base = [decrypt, "-q", "--customer-key-file", key]
                if t["ctx"]:
                    base += ["--c2sp-context-hex", t["ctx"]]

                def run(*args, stdin=None):
                    return subprocess.run(base + list(args), capture_output=True, timeout=60,
                                          stdin=stdin)

                if t["result"] == "valid":
                    valid += 1
                    r = run("-o", out, enc)
                    check(r.returncode == 0, f"{name}: exit {r.returncode}: {r.stderr.decode()}")
                    if r.returncode != 0:
                        continue
                    with open(out, "rb") as f:
                        plain = f.read()
                    check(len(plain) == t["msgLength"], f"{name}: {len(plain)} bytes")
                    check(hashlib.sha512(plain).hexdigest() == t["msgSha512"],
                          f"{name}: msgSha512 differs")
                    if len(plain) > 1 << 20:
                        n = len(plain)
                        for start, length in [(16380, 10), (16384 * 255 - 3, 16384 + 6),
                                              (n - 1, 1), (n - 20, 100), (n, 0)]:
                            r = run("--range", f"{start}:{length}", "-o", "-", enc)
                            check(r.returncode == 0 and r.stdout == plain[start:start + length],
                                  f"{name}: --range {start}:{length}: exit {r.returncode} "
                                  f"{r.stderr.decode()}")
                        with subprocess.Popen(["cat", enc], stdout=subprocess.PIPE) as cat:
                            r = run("--range", "16380-16393", stdin=cat.stdout)
                        check(r.returncode == 0 and r.stdout == plain[16380:16394],
                              f"{name}: --range through a pipe: {r.stderr.decode()}")
                else:
                    invalid += 1
                    want = 2 if "InvalidKeySize" in t["flags"] else 3
                    # A range that avoids the damage may decrypt (random access reads
                    # only its chunks and the final one); the whole range never does.
                    for extra in ([], ["--range", "0:"], ["--format", "c2sp"]):
                        if os.path.exists(out):
                            os.unlink(out)
                        r = run(*extra, "-o", out, enc)
                        check(r.returncode == want,
                              f"{name} {extra}: exit {r.returncode}, want {want}: "
                              f"{r.stderr.decode()}")
                        check(not os.path.exists(out), f"{name} {extra}: output left behind")
    for f in failures:
        print("FAIL " + f)
    print(f"c2sp vectors: {valid} valid, {invalid} invalid, {len(failures)} failures")
    return 1 if failures or valid == 0 or invalid == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
