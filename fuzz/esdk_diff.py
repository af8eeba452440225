#!/usr/bin/env python3
"""Differential test: the message_decrypt corpus through envelope and the
AWS Encryption SDK for JavaScript.

Runs `esdk_diff DIR...` (ours, fuzz/esdk_diff.cc) and `node
test/interop/esdk_diff.mjs --keys KEYS DIR...` (theirs) over the same
folders, with the same raw AES and RSA keys (the ESDK vectors' test keys,
which fuzz/fuzz_keys.h holds), and requires for every input the same
decision (decrypts or not) and, when both decrypt, the same plaintext
(SHA-256). A disagreement is printed with the input's SHA-256, both answers
and the file; the test fails on any disagreement that is not listed in
fuzz/esdk_diff_known.txt (one "<sha-256 of the input> <reason>" per line:
differences understood as deliberate, each with its reason).

One difference is a known rule rather than a list: envelope's Decrypt
refuses bytes after the end of a message (envelope/message.hpp), the ESDK
for JavaScript's one-shot decrypt ignores them. For such an input esdk_diff
also answers for the message without the trailing bytes: when the ESDK
refuses the whole input too, the two agree; when it decrypts it, envelope
must decrypt the message without the trailing bytes to the same plaintext
(these are counted apart).

Exit status: 0 when all agree (or only known differences), 1 otherwise,
also when node or the ESDK is missing (`npm ci --prefix test/interop`).
Python standard library only.
"""

import argparse
import hashlib
import os
import subprocess
import sys


def run(cmd):
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if r.returncode != 0:
        sys.stderr.write(r.stderr)
        raise SystemExit("esdk_diff: %s failed (exit %d)" % (cmd[0], r.returncode))
    answers = {}
    for line in r.stdout.splitlines():
        label, verdict, rest = (line.split(" ", 2) + [""])[:3]
        trailing = 0
        if verdict == "trailing":
            count, _, answer = rest.partition(" ")
            trailing = int(count)
            verdict, _, rest = answer.partition(" ")
        answers[label] = (verdict, rest, trailing)
    return answers


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--tool", required=True)
    p.add_argument("--node", default="node")
    p.add_argument("--script", required=True)
    p.add_argument("--keys", required=True)
    p.add_argument("--known", required=True)
    p.add_argument("dirs", nargs="+")
    a = p.parse_args()

    known = {}
    with open(a.known) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#"):
                digest, _, reason = line.partition(" ")
                known[digest] = reason
    ours = run([a.tool] + a.dirs)
    theirs = run([a.node, a.script, "--keys", a.keys] + a.dirs)
    if set(ours) != set(theirs):
        raise SystemExit("esdk_diff: the two sides read different files")

    roots = {os.path.basename(os.path.normpath(d)): d for d in a.dirs}
    agree = both_ok = unexpected = expected = trailing = 0
    for label in sorted(ours):
        (ov, orest, otrail), (tv, trest, _) = ours[label], theirs[label]
        if otrail and tv != "ok":
            agree += 1  # both refuse the whole input
            continue
        same = ov == tv and (ov != "ok" or orest == trest)
        if same:
            agree += 1
            both_ok += ov == "ok" and not otrail
            trailing += otrail > 0
            continue
        folder, name = label.split("/", 1)
        with open(os.path.join(roots[folder], name), "rb") as f:
            digest = hashlib.sha256(f.read()).hexdigest()
        tag = "known" if digest in known else "DISAGREE"
        if digest in known:
            expected += 1
        else:
            unexpected += 1
        note = " (without %d trailing bytes)" % otrail if otrail else ""
        print("%s %s %s\n  envelope: %s %s%s\n  esdk-js:  %s %s%s" % (
            tag, digest, label, ov, orest[:160], note, tv, trest[:160],
            ("\n  why: " + known[digest]) if digest in known else ""))
    print("esdk_diff: %d inputs, %d agree (%d decrypt on both; %d with trailing bytes, "
          "refused by envelope, agreeing without them), %d known differences, "
          "%d disagreements" % (len(ours), agree, both_ok, trailing, expected, unexpected))
    return 1 if unexpected else 0


if __name__ == "__main__":
    sys.exit(main())
