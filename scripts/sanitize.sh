#!/usr/bin/env bash
# The whole test suite under AddressSanitizer + UndefinedBehaviorSanitizer
# (clang), then a subset under valgrind memcheck (gcc build): the crypto and
# tools suites, the adversarial inputs and the fuzz corpora replayed through
# the harnesses (suite fuzz: every seed and regression input once), on the
# release build. Extra
# arguments go to both `meson test` runs. The fuzzers themselves run in
# scripts/fuzz.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -f build-asan/build.ninja ]; then
  CC=clang CXX=clang++ meson setup build-asan --buildtype=debugoptimized -Dwerror=true \
    -Db_sanitize=address,undefined -Db_lundef=false -Dbenchmarks=disabled >/dev/null
fi
meson compile -C build-asan
# The service tests drive the AWS SDK for JavaScript too (npm packages).
scripts/node_deps.sh
# Every UBSan finding is fatal; leaks are reported by LeakSanitizer.
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1 \
UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  meson test -C build-asan --print-errorlogs --num-processes 2 --timeout-multiplier 4 \
    --no-suite interop "$@"

# Valgrind runs on the release build of the README's commands (build/), so
# CI compiles the project once for it and the test suite; it reports what
# it finds in optimized code too, only with fewer line numbers.
[ -f build/build.ninja ] || meson setup build -Doptimization=2 -Ddebug=false -Db_ndebug=true -Dwerror=true
meson compile -C build
meson test -C build --print-errorlogs --num-processes 2 --timeout-multiplier 20 \
  --wrap='valgrind --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite --quiet' \
  --suite crypto --suite tools --suite adversarial --suite fuzz "$@"
echo "sanitize: asan+ubsan and valgrind runs passed"
