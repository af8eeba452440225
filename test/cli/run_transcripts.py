#!/usr/bin/env python3
"""Runs CLI transcript tests (in the style of age's cmd/age/testdata).

Each transcript is a text file of commands, run in order in a fresh temporary
folder with its own ENVELOPE_HOME. Lines:

  # comment
  env NAME=VALUE          set an environment variable for later commands
  write FILE TEXT...      create FILE holding TEXT (\\n escapes allowed)
  random FILE SIZE        create FILE with SIZE random bytes (K/M suffixes)
  chmod MODE FILE         change permissions (octal)
  mkdir DIR
  stdin FILE              the next exec reads FILE on standard input
  exec PROG ARGS...       run a tool (PROG is looked up in the build folder);
                          must exit 0
  ! exec PROG ARGS...     must exit non-zero
  exit N                  the last exec exited with N
  stdout REGEX            the last exec's stdout matches (re.search, multiline)
  stderr REGEX            likewise for stderr
  ! stdout REGEX          must not match (likewise ! stderr)
  exists FILE / ! exists FILE
  cmp FILE1 FILE2         byte-identical files
  ! cmp FILE1 FILE2       files differ
  nopartial               no temporary ".*.envelope-*" file is left in the folder

Usage: run_transcripts.py BUILD_DIR TRANSCRIPT...
Prints one line per transcript and "cli transcripts: N passed, N failed".
"""
import os
import re
import shlex
import subprocess
import sys
import tempfile

TOOLS = {"envelope": "tools/envelope", "encrypt": "tools/encrypt", "decrypt": "tools/decrypt"}


class Failure(Exception):
    pass


def size_of(text):
    mult = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    if text[-1] in mult:
        return int(text[:-1]) * mult[text[-1]]
    return int(text)


def run(build_dir, path):
    with tempfile.TemporaryDirectory(prefix="envelope-cli-") as work:
        env = {k: v for k, v in os.environ.items() if not k.startswith("ENVELOPE_")}
        env["ENVELOPE_HOME"] = os.path.join(work, ".envelope-home")
        env["HOME"] = work
        last = None
        stdin_file = None
        for lineno, raw in enumerate(open(path, encoding="utf-8"), 1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            negate = line.startswith("! ")
            if negate:
                line = line[2:]
            words = shlex.split(line)
            verb, args = words[0], words[1:]
            where = f"{os.path.basename(path)}:{lineno}: {raw.strip()}"

            def need(cond, why):
                if not cond:
                    detail = ""
                    if last is not None:
                        detail = (f"\n  exit: {last.returncode}\n  stdout: {last.stdout[-2000:]!r}"
                                  f"\n  stderr: {last.stderr[-2000:]!r}")
                    raise Failure(f"{where}\n  {why}{detail}")

            if verb == "env":
                name, _, value = args[0].partition("=")
                env[name] = value.replace("$WORK", work)
            elif verb == "write":
                with open(os.path.join(work, args[0]), "w", encoding="utf-8") as f:
                    f.write(" ".join(args[1:]).encode().decode("unicode_escape"))
            elif verb == "random":
                with open(os.path.join(work, args[0]), "wb") as f:
                    f.write(os.urandom(size_of(args[1])))
            elif verb == "chmod":
                os.chmod(os.path.join(work, args[1]), int(args[0], 8))
            elif verb == "mkdir":
                os.makedirs(os.path.join(work, args[0]), exist_ok=True)
            elif verb == "stdin":
                stdin_file = os.path.join(work, args[0])
            elif verb == "exec":
                prog = args[0]
                argv = [os.path.join(build_dir, TOOLS[prog]) if prog in TOOLS else prog] + args[1:]
                stdin = open(stdin_file, "rb") if stdin_file else subprocess.DEVNULL
                try:
                    proc = subprocess.run(argv, cwd=work, env=env, stdin=stdin,
                                          capture_output=True, timeout=120)
                finally:
                    if stdin_file:
                        stdin.close()
                stdin_file = None
                last = subprocess.CompletedProcess(
                    argv, proc.returncode, proc.stdout.decode("utf-8", "replace"),
                    proc.stderr.decode("utf-8", "replace"))
                need((last.returncode != 0) if negate else (last.returncode == 0),
                     "expected failure" if negate else "expected success")
                need(last.returncode >= 0, f"killed by signal {-last.returncode}")
            elif verb == "exit":
                need(last is not None and last.returncode == int(args[0]),
                     f"expected exit code {args[0]}")
            elif verb in ("stdout", "stderr"):
                text = getattr(last, verb)
                found = re.search(args[0], text, re.MULTILINE) is not None
                need(found != negate, f"{verb} {'matches' if negate else 'does not match'} {args[0]!r}")
            elif verb == "exists":
                found = os.path.exists(os.path.join(work, args[0]))
                need(found != negate, f"{args[0]} {'exists' if negate else 'does not exist'}")
            elif verb == "cmp":
                a = open(os.path.join(work, args[0]), "rb").read()
                b = open(os.path.join(work, args[1]), "rb").read()
                need((a == b) != negate, "files differ" if not negate else "files are identical")
            elif verb == "nopartial":
                leftovers = [n for root, _, files in os.walk(work) for n in files
                             if re.match(r"\..*\.envelope-", n)]
                need(not leftovers, f"partial output left behind: {leftovers}")
            else:
                need(False, f"unknown verb {verb!r}")


def main():
    build_dir, paths = sys.argv[1], sys.argv[2:]
    passed = failed = 0
    for path in sorted(paths):
        try:
            run(build_dir, path)
            passed += 1
            print(f"ok    {os.path.basename(path)}")
        except Failure as e:
            failed += 1
            print(f"FAIL  {e}")
    print(f"cli transcripts: {passed} passed, {failed} failed")
    sys.exit(1 if failed or not passed else 0)


if __name__ == "__main__":
    main()
