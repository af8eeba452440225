#!/usr/bin/env python3
"""compile_check.py: a compile-fail test driver.

Usage: compile_check.py pass SOURCE -- COMPILER [ARGS...]
       compile_check.py fail:CASE SOURCE -- COMPILER [ARGS...]

Compiles SOURCE with `COMPILER ARGS -fsyntax-only SOURCE` (a leading ccache
is dropped: it cannot cache a syntax check). `pass` succeeds when the
compiler accepts the file. `fail:CASE` adds -DCASE and succeeds only when the
compiler rejects the file AND its diagnostics point at the line after the
comment `EXPECT-ERROR(CASE)`, so a case cannot "fail" for an unrelated reason (a
missing header, a typo elsewhere) and pass. Exit 0 on the expected outcome.
"""
import pathlib
import re
import subprocess
import sys


def main() -> int:
    if len(sys.argv) < 5 or not re.fullmatch(r"pass|fail:\w+", sys.argv[1]) or sys.argv[3] != "--":
        print(__doc__, file=sys.stderr)
        return 2
    expect, source, command = sys.argv[1], sys.argv[2], sys.argv[4:]
    if pathlib.Path(command[0]).name == "ccache":
        command = command[1:]
    case = ""
    if expect.startswith("fail:"):
        expect, case = "fail", expect[len("fail:"):]
        command = command + [f"-D{case}"]
    run = subprocess.run(command + ["-fsyntax-only", source], capture_output=True, text=True)
    output = run.stdout + run.stderr
    if expect == "pass":
        if run.returncode != 0:
            print(f"{source}: expected to compile, but the compiler rejected it:\n{output}")
            return 1
        print(f"{source}: compiles, as expected")
        return 0
    if run.returncode == 0:
        print(f"{source}: expected a compile error, but the compiler accepted it")
        return 1
    lines = pathlib.Path(source).read_text().splitlines()
    marked = [i + 2 for i, line in enumerate(lines) if f"EXPECT-ERROR({case})" in line]
    if not marked:
        print(f"{source}: no line is marked EXPECT-ERROR({case})")
        return 1
    name = re.escape(pathlib.Path(source).name)
    for line in marked:
        if re.search(rf"{name}:{line}:\d+: error", output):
            print(f"{source}: {case} rejected at line {line}, as expected")
            return 0
    print(f"{source}: {case} rejected, but not at its EXPECT-ERROR line {marked}:\n{output}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
