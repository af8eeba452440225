#!/usr/bin/env python3
"""umbrella_check.py: envelope.hpp includes every public C++ header.

Usage: umbrella_check.py INCLUDE_DIR

Every include/envelope/*.hpp but envelope.hpp itself must appear as
`#include "envelope/NAME"` in envelope.hpp, and every header it includes must
exist (a folded or renamed header leaves no stale include behind). The
hazmat/ folder is deliberately left out of the umbrella. Exit 0 when so.
"""
import pathlib
import re
import sys


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    folder = pathlib.Path(sys.argv[1]) / "envelope"
    umbrella = (folder / "envelope.hpp").read_text()
    included = set(re.findall(r'^#include "envelope/([^"]+)"', umbrella, re.M))
    public = {p.name for p in folder.glob("*.hpp")} - {"envelope.hpp"}
    missing = sorted(public - included)
    stale = sorted(included - public)
    for name in missing:
        print(f"envelope.hpp does not include envelope/{name}")
    for name in stale:
        print(f"envelope.hpp includes envelope/{name}, which is not a public header")
    if missing or stale:
        return 1
    print(f"envelope.hpp includes all {len(public)} public headers")
    return 0


if __name__ == "__main__":
    sys.exit(main())
