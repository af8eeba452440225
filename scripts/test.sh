#!/usr/bin/env bash
# Second README command: build (if needed) and run the whole test suite.
# Extra arguments go to `meson test` (e.g. --suite crypto).
set -euo pipefail
cd "$(dirname "$0")/.."

# Optimized without debug info, asserts off: a release build at -O2. (At
# -O3, g++ 12 reports false -Wstringop-overflow/-Wrestrict warnings inside
# libstdc++; the hot loops are OpenSSL's assembly either way.)
[ -f build/build.ninja ] || meson setup build -Doptimization=2 -Ddebug=false -Db_ndebug=true -Dwerror=true
meson compile -C build

# The tree is clang-formatted (scripts/format_check.sh, no build needed);
# its result counts as one test in the closing line.
format_status=0
scripts/format_check.sh || format_status=$?

# The JavaScript clients of the interoperability and service tests (npm).
scripts/node_deps.sh

status=0
meson test -C build --print-errorlogs --num-processes 2 "$@" || status=$?

# One closing line that any CI reads: "tests: N passed, N failed".
FORMAT_STATUS=$format_status python3 - build/meson-logs/testlog.json <<'PY'
import json, os, sys
passed = failed = skipped = 0
if os.environ["FORMAT_STATUS"] == "0":
    passed += 1
else:
    failed += 1
with open(sys.argv[1]) as f:
    for line in f:
        r = json.loads(line)["result"]
        if r in ("OK", "EXPECTEDFAIL"):
            passed += 1
        elif r == "SKIP":
            skipped += 1
        else:
            failed += 1
print(f"tests: {passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
PY
[ $format_status -eq 0 ] || status=1
exit $status
