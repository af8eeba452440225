#!/usr/bin/env python3
"""Runs CLI transcript tests (in the style of age's cmd/age/testdata).

Each transcript is a text file of commands, run in order in a fresh temporary
folder with its own ENVELOPE_HOME. Lines:

  # comment
  env NAME=VALUE          set an environment variable for later commands
  write FILE TEXT...      create FILE holding TEXT (\\n escapes allowed)
  random FILE SIZE        create FILE with SIZE random bytes (K/M suffixes)
  chmod MODE FILE         change permissions (octal)
  umask MODE              later execs and pty tools run under this umask (octal); the
                          default is the runner's own
  symlink TARGET LINK     create a symbolic link LINK pointing to TARGET (may dangle)
  mkdir DIR
  stdin FILE              the next exec reads FILE on standard input
  exec PROG ARGS...       run a tool (envelope, encrypt, decrypt, softhsm_setup are
                          looked up in the build folder, other PROGs in PATH);
                          must exit 0
  ! exec PROG ARGS...     must exit non-zero
  exit N                  the last exec exited with N
  stdout REGEX            the last exec's stdout matches (re.search, multiline)
  stderr REGEX            likewise for stderr
  ! stdout REGEX          must not match (likewise ! stderr)
  exists FILE / ! exists FILE
  mode FILE OCTAL         FILE's permission bits are OCTAL
  cmp FILE1 FILE2         byte-identical files
  ! cmp FILE1 FILE2       files differ
  nopartial               no temporary ".*.envelope-*" file is left in the folder
  copy SRC DST            copy a file
  flip FILE OFFSET        invert one byte (negative OFFSET counts from the end)
  truncate FILE SIZE      cut FILE to SIZE bytes (negative: drop that many from the end)
  fd N FILE               the next exec gets FILE open for reading as descriptor N
  fdout N FILE            the next exec gets FILE created for writing as descriptor N
  savestdout FILE         write the last exec's standard output (raw bytes) to FILE
  stdoutto full|closed    the next exec's standard output is /dev/full (every write fails
                          with ENOSPC) or closed (as with `>&-`); its stdout then reads as
                          empty. For checking that lost output is never reported as success.
  pty PROG ARGS...        start a tool on a new pseudo-terminal: its stdin, stdout, stderr
                          and controlling terminal (/dev/tty); Python's pty module, no
                          extra package. Then:
  expect REGEX            wait (10 s at most) until the terminal output so far matches
  send TEXT               type TEXT on the terminal (\n escapes allowed)
  wait                    wait for the pty tool to exit; `exit N` and `stdout REGEX` then
                          apply to it (stdout is everything the terminal showed)
  ! wait                  likewise, but it must exit non-zero

$WORK in any argument is the transcript's temporary folder. In the arguments of exec and
pty, \\xHH is the raw byte HH (for arguments that are not UTF-8, such as 'k=\\xff'); quote
such an argument, since shlex drops a backslash outside quotes. A tool receives the bytes
as they are (os.fsencode: UTF-8 text plus those bytes).

Usage: run_transcripts.py BUILD_DIR TRANSCRIPT...
Prints one line per transcript and "cli transcripts: N passed, N failed".
"""
import os
import pty
import re
import select
import signal
import shutil
import time
import shlex
import subprocess
import sys
import tempfile

TOOLS = {"envelope": "tools/envelope", "encrypt": "tools/encrypt", "decrypt": "tools/decrypt",
         # makes the SoftHSM2 test token in a folder (test/pkcs11/softhsm_setup.cc)
         "softhsm_setup": "test/pkcs11/softhsm_setup"}


class Failure(Exception):
    pass


def raw_arg(arg):
    """Decodes \\xHH escapes in an exec/pty argument to raw bytes (see the header)."""
    if "\\x" not in arg:
        return arg
    return re.sub(rb"\\x([0-9a-fA-F]{2})", lambda m: bytes([int(m.group(1), 16)]),
                  os.fsencode(arg))


def size_of(text):
    mult = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    if text[-1] in mult:
        return int(text[:-1]) * mult[text[-1]]
    return int(text)


def pty_read(term):
    """Reads what the pty tool wrote in the next 0.2 s; False once it closed."""
    ready, _, _ = select.select([term[1]], [], [], 0.2)
    if not ready:
        return True
    try:
        data = os.read(term[1], 65536)
    except OSError:  # EIO: the tool exited and closed the terminal
        return False
    term[2].extend(data)
    return bool(data)


def run(build_dir, path):
    with tempfile.TemporaryDirectory(prefix="envelope-cli-") as work:
        env = {k: v for k, v in os.environ.items() if not k.startswith("ENVELOPE_")}
        env["ENVELOPE_HOME"] = os.path.join(work, ".envelope-home")
        env["HOME"] = work
        last = None
        stdin_file = None
        fds = {}
        stdout_to = None  # None, "full" or "closed", for the next exec
        term = None  # (pid, master fd, bytearray of output) of the running pty tool
        mask = -1  # subprocess's "leave the umask alone"
        try:
            for lineno, raw in enumerate(open(path, encoding="utf-8"), 1):
                line = raw.strip()
                if not line or line.startswith("#"):
                    continue
                negate = line.startswith("! ")
                if negate:
                    line = line[2:]
                words = [w.replace("$WORK", work) for w in shlex.split(line)]
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
                elif verb == "umask":
                    mask = int(args[0], 8)
                elif verb == "symlink":
                    os.symlink(args[0], os.path.join(work, args[1]))
                elif verb == "mkdir":
                    os.makedirs(os.path.join(work, args[0]), exist_ok=True)
                elif verb == "stdin":
                    stdin_file = os.path.join(work, args[0])
                elif verb == "copy":
                    shutil.copyfile(os.path.join(work, args[0]), os.path.join(work, args[1]))
                elif verb == "flip":
                    with open(os.path.join(work, args[0]), "r+b") as f:
                        f.seek(int(args[1]), os.SEEK_END if int(args[1]) < 0 else os.SEEK_SET)
                        b = f.read(1)
                        f.seek(-1, os.SEEK_CUR)
                        f.write(bytes([b[0] ^ 0xFF]))
                elif verb == "truncate":
                    target = os.path.join(work, args[0])
                    n = int(args[1])
                    os.truncate(target, n if n >= 0 else os.path.getsize(target) + n)
                elif verb in ("fd", "fdout"):
                    fds[int(args[0])] = ("<" if verb == "fd" else ">") + shlex.quote(
                        os.path.join(work, args[1]))
                elif verb == "stdoutto":
                    need(args[0] in ("full", "closed"), f"stdoutto takes full or closed")
                    stdout_to = args[0]
                elif verb == "savestdout":
                    with open(os.path.join(work, args[0]), "wb") as f:
                        f.write(last.raw_stdout)
                elif verb == "exec":
                    prog = args[0]
                    argv = [os.path.join(build_dir, TOOLS[prog]) if prog in TOOLS else prog] + [
                        raw_arg(a) for a in args[1:]]
                    redirs = [f"{n}{target}" for n, target in fds.items()]
                    if stdout_to == "closed":
                        redirs.append(">&-")
                    if redirs:  # let the shell open (or close) the descriptors
                        argv = ["/bin/sh", "-c", f'exec "$0" "$@" {" ".join(redirs)}'] + argv
                    stdin = open(stdin_file, "rb") if stdin_file else subprocess.DEVNULL
                    stdout = open("/dev/full", "wb") if stdout_to == "full" else subprocess.PIPE
                    try:
                        proc = subprocess.run(argv, cwd=work, env=env, stdin=stdin, stdout=stdout,
                                              stderr=subprocess.PIPE, timeout=120, umask=mask)
                    finally:
                        if stdin_file:
                            stdin.close()
                        if stdout_to == "full":
                            stdout.close()
                    proc.stdout = proc.stdout or b""
                    stdin_file = None
                    stdout_to = None
                    fds = {}
                    last = subprocess.CompletedProcess(
                        argv, proc.returncode, proc.stdout.decode("utf-8", "replace"),
                        proc.stderr.decode("utf-8", "replace"))
                    last.raw_stdout = proc.stdout
                    need((last.returncode != 0) if negate else (last.returncode == 0),
                         "expected failure" if negate else "expected success")
                    need(last.returncode >= 0, f"killed by signal {-last.returncode}")
                elif verb == "pty":
                    prog = args[0]
                    argv = [os.path.join(build_dir, TOOLS[prog]) if prog in TOOLS else prog] + [
                        raw_arg(a) for a in args[1:]]
                    pid, master = pty.fork()
                    if pid == 0:
                        try:
                            os.chdir(work)
                            if mask >= 0:
                                os.umask(mask)
                            os.execve(argv[0], argv, env)
                        finally:
                            os._exit(127)
                    term = (pid, master, bytearray())
                elif verb == "expect":
                    need(term is not None, "no pty tool running")
                    deadline = time.monotonic() + 10
                    while not re.search(args[0], term[2].decode("utf-8", "replace"), re.MULTILINE):
                        need(time.monotonic() < deadline and pty_read(term),
                             f"terminal output does not match {args[0]!r}: {bytes(term[2])!r}")
                elif verb == "send":
                    need(term is not None, "no pty tool running")
                    os.write(term[1], " ".join(args).encode().decode("unicode_escape").encode())
                elif verb == "wait":
                    need(term is not None, "no pty tool running")
                    deadline = time.monotonic() + 120
                    while pty_read(term):
                        need(time.monotonic() < deadline, "pty tool did not exit")
                    _, status = os.waitpid(term[0], 0)
                    os.close(term[1])
                    code = os.waitstatus_to_exitcode(status)
                    out = term[2].decode("utf-8", "replace")
                    last = subprocess.CompletedProcess([], code, out, "")
                    last.raw_stdout = bytes(term[2])
                    term = None
                    need((code != 0) if negate else (code == 0),
                         "expected failure" if negate else "expected success")
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
                elif verb == "mode":
                    have = os.stat(os.path.join(work, args[0])).st_mode & 0o7777
                    need(have == int(args[1], 8), f"{args[0]} has mode {have:o}, not {args[1]}")
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
        finally:
            if term is not None:  # a failed transcript left its pty tool running
                os.kill(term[0], signal.SIGKILL)
                os.waitpid(term[0], 0)
                os.close(term[1])


def main():
    build_dir, paths = os.path.abspath(sys.argv[1]), sys.argv[2:]
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
