#!/usr/bin/env python3
"""Hostile input through the decrypt tool: exit codes a script can rely on.

Every single-byte change of a small message must make `decrypt` exit 3
("the input is corrupt or tampered"), never 2 (the caller's own arguments),
1 or a crash, and leave no output. The one exception is a byte inside an
encrypted data key's provider id or key name: the message then names a key
we do not have, exactly as a message for another key does, and exit 4
("key not found") is as right as 3. Swept: a message of ours and two the
AWS Encryption SDK for JavaScript wrote, unsigned and signed (test/data/esdk_js). Then truncation
at every field and bytes after the end, and `encrypt` refusing (exit 2,
nothing written) a message its own `decrypt` would refuse.

Usage: hostile_input_test.py BUILD_DIR DATA_DIR
"""
import os
import shutil
import subprocess
import sys
import tempfile

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)


def run(argv, cwd, stdin=None):
    return subprocess.run(argv, cwd=cwd, capture_output=True, timeout=60, stdin=stdin)


def u16(m, at):
    return m[at] << 8 | m[at + 1]


def key_name_bytes(m):
    """Offsets of the bytes naming a key: each EDK's provider id and the raw
    AES provider info up to its IV (name || tag bits (4) || IV length (4) ||
    IV (12)): the keyring, as the ESDK specifies, takes an EDK whose info
    differs there as addressed to another key."""
    names = set()
    at = 1 + 2 + 32
    at += 2 + u16(m, at)  # context
    count = u16(m, at)
    at += 2
    for _ in range(count):
        n = u16(m, at)
        names.update(range(at, at + 2 + n))
        at += 2 + n
        n = u16(m, at)
        names.update(range(at, at + 2 + max(0, n - 12)))
        at += 2 + n
        at += 2 + u16(m, at)
    return names


def sweep(tool_dir, work, name, message, key_args):
    names = key_name_bytes(message)
    counts = {}
    path = os.path.join(work, "flipped.msg")
    for i in range(len(message)):
        m = bytearray(message)
        m[i] ^= 0x01 if i % 2 else 0x80
        with open(path, "wb") as f:
            f.write(m)
        out = os.path.join(work, "flipped.out")
        p = run([os.path.join(tool_dir, "decrypt"), "-q", "-o", out] + key_args + [path], work)
        counts[p.returncode] = counts.get(p.returncode, 0) + 1
        allowed = (3, 4) if i in names else (3,)
        check(p.returncode in allowed,
              f"{name}: byte {i} flipped: exit {p.returncode}, want {allowed}: "
              f"{p.stderr.decode(errors='replace').strip()}")
        check(not os.path.exists(out), f"{name}: byte {i} flipped: output left behind")
    print(f"{name}: {len(message)} flips, exit codes {dict(sorted(counts.items()))}")


def main():
    build_dir, data_dir = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    tools = os.path.join(build_dir, "tools")
    with tempfile.TemporaryDirectory(prefix="envelope-hostile-") as work:
        env_key = os.path.join(work, "k.key")
        with open(env_key, "wb") as f:
            f.write(bytes(range(100, 132)))
        plain = os.path.join(work, "plain.txt")
        with open(plain, "wb") as f:
            f.write(b"a small message, swept byte by byte\n" * 3)
        ours = os.path.join(work, "ours.msg")
        ours_key = ["--wrapping-key", f"provider=ns,key=k,file={env_key}"]
        p = run([os.path.join(tools, "encrypt"), "-q", "--frame-size", "48", "-c", "purpose=sweep",
                 "-o", ours] + ours_key + [plain], work)
        check(p.returncode == 0, f"encrypt failed: {p.stderr!r}")
        message = open(ours, "rb").read()
        p = run([os.path.join(tools, "decrypt"), "-q", "-o", "-"] + ours_key + [ours], work)
        check(p.returncode == 0 and p.stdout == open(plain, "rb").read(), "ours: no round trip")
        sweep(tools, work, "ours", message, ours_key)

        js_key = ["--wrapping-key",
                  f"provider=ns,key=js,file={os.path.join(data_dir, 'esdk_js', 'raw_aes.key')}"]
        for suite in ("0478", "0578"):
            js = os.path.join(data_dir, "esdk_js", f"raw_aes_{suite}.msg")
            p = run([os.path.join(tools, "decrypt"), "-q", "-o", "-"] + js_key + [js], work)
            check(p.returncode == 0 and
                  p.stdout == open(os.path.join(data_dir, "esdk_js", "plain.txt"), "rb").read(),
                  f"esdk-js {suite} message does not decrypt: {p.stderr!r}")
            sweep(tools, work, f"esdk-js {suite}", open(js, "rb").read(), js_key)

        # Truncated anywhere, or followed by anything: exit 3, no output.
        for name, data in [("truncated", message[:n]) for n in range(0, len(message), 7)] + \
                          [("trailing byte", message + b"\0"),
                           ("two messages", message + message)]:
            with open(os.path.join(work, "cut.msg"), "wb") as f:
                f.write(data)
            out = os.path.join(work, "cut.out")
            p = run([os.path.join(tools, "decrypt"), "-q", "-o", out] + ours_key + ["cut.msg"], work)
            check(p.returncode == 3, f"{name} ({len(data)} bytes): exit {p.returncode}")
            check(not os.path.exists(out), f"{name}: output left behind")

        # encrypt refuses what decrypt would: a context over 16 KiB with a raw
        # key (no KMS to refuse it first), exit 2, nothing written.
        out = os.path.join(work, "big.msg")
        big = ["-c", "big=" + "x" * (16 * 1024)]
        p = run([os.path.join(tools, "encrypt"), "-q", "-o", out] + big + ours_key + [plain], work)
        check(p.returncode == 2, f"encrypt with a 16 KiB context: exit {p.returncode}")
        check(b"over the limit of 16384" in p.stderr and b"decrypt would refuse" in p.stderr,
              f"encrypt with a 16 KiB context: {p.stderr!r}")
        check(not os.path.exists(out), "encrypt with a 16 KiB context left output")
        check(not [n for n in os.listdir(work) if ".envelope-" in n], "partial output left")
        p = run([os.path.join(tools, "encrypt"), "-q", "-o", "-"] + big + ours_key + [plain], work)
        check(p.returncode == 2 and p.stdout == b"", "encrypt to stdout wrote before refusing")
        # A frame size decrypt refuses (over 16 MiB), the same.
        p = run([os.path.join(tools, "encrypt"), "-q", "--frame-size", str((16 << 20) + 1),
                 "-o", out] + ours_key + [plain], work)
        check(p.returncode == 2 and not os.path.exists(out),
              f"encrypt with a 16 MiB + 1 frame: exit {p.returncode}: {p.stderr!r}")

    for f in failures[:50]:
        print("FAIL", f)
    print(f"hostile input: {len(failures)} failures")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
