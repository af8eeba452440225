#!/usr/bin/env python3
"""test/doc/man_test.py: a tool's man page renders and lists what --help lists.

    man_test.py TOOL MAN_PAGE

Renders MAN_PAGE with `man -l` (plain text), then walks TOOL's help: `TOOL
--help`, and for every subcommand it lists, `TOOL SUB --help`, recursively.
Every option (`-x`, `--long`) and every subcommand name found there must
appear in the rendered page. The list comes from --help each time, so an
option added to a tool fails this test until doc/TOOL.1.scd mentions it.
"""
import os
import re
import subprocess
import sys

OPTION = re.compile(r"^\s+((?:-\w,\s*)?--?[\w][\w-]*(?:,\s*--[\w-]+)*)")
SECTION = re.compile(r"^([A-Za-z ]+):\s*$")


def help_text(tool, path):
    run = subprocess.run([tool, *path, "--help"], capture_output=True, text=True, timeout=30)
    if run.returncode != 0:
        sys.exit(f"man_test: {' '.join([tool, *path])} --help exited {run.returncode}: "
                 f"{run.stderr.strip()}")
    return run.stdout


def walk(tool, path, options, commands):
    """Adds the options and subcommands of `tool path... --help`, recursively."""
    section = ""
    subcommands = []
    for line in help_text(tool, path).splitlines():
        m = SECTION.match(line)
        if m:
            section = m.group(1).strip().lower()
            continue
        if section.startswith(("example", "exit code")):
            continue  # prose: its options are listed in their own sections
        if section.startswith("subcommand"):
            m = re.match(r"^\s+([a-z][\w-]*)\s", line + " ")
            if m:
                subcommands.append(m.group(1))
            continue
        m = OPTION.match(line)
        if m:
            for name in re.split(r",\s*", m.group(1)):
                options.setdefault(name, " ".join(path) or "(top level)")
    for sub in subcommands:
        commands.add(" ".join([*path, sub]))
        walk(tool, [*path, sub], options, commands)


def main():
    tool, page = sys.argv[1], sys.argv[2]
    env = dict(os.environ, MANWIDTH="200", MAN_KEEP_FORMATTING="0", LC_ALL="C.UTF-8")
    run = subprocess.run(["man", "-l", page], capture_output=True, text=True, env=env, timeout=60)
    if run.returncode != 0 or run.stderr.strip():
        sys.exit(f"man_test: man -l {page} failed ({run.returncode}): {run.stderr.strip()}")
    # Drop overstrike formatting and hyphenation at line ends.
    text = re.sub(r".\x08", "", run.stdout)
    text = re.sub(r"(\w)-\n\s*", r"\1", text)
    text = text.replace("\u2010", "-").replace("\u2212", "-")
    if "NAME" not in text or "SYNOPSIS" not in text:
        sys.exit(f"man_test: {page} renders without NAME or SYNOPSIS")

    options, commands = {}, set()
    walk(tool, [], options, commands)
    if len(options) < 2:
        sys.exit(f"man_test: found only {len(options)} options in {tool} --help: parser out of date?")
    words = set(re.findall(r"--?[\w][\w-]*", text))
    missing = [f"{name} (from {where} --help)" for name, where in sorted(options.items())
               if name not in ("-h", "--help") and name not in words]
    missing += [f"subcommand '{c}'" for c in sorted(commands) if c.split()[-1] not in text]
    if missing:
        print(f"man_test: {page} does not mention:", file=sys.stderr)
        for m in missing:
            print(f"  {m}", file=sys.stderr)
        return 1
    print(f"man_test: {os.path.basename(page)}: {len(options)} options, "
          f"{len(commands)} subcommands, all listed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
