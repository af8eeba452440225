#!/usr/bin/env bash
# The npm packages of the tests that run real JavaScript clients (the ESDK
# for JavaScript, the AWS SDK for JavaScript v3), pinned by
# test/interop/package-lock.json; installed again whenever the lock file
# changed since the last install. Used by scripts/test.sh and
# scripts/sanitize.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f test/interop/package-lock.json ] || exit 0
lock_sum=$(sha256sum test/interop/package-lock.json | cut -d' ' -f1)
if [ "$(cat test/interop/node_modules/.envelope-lock-sha256 2>/dev/null)" != "$lock_sum" ]; then
  npm ci --prefix test/interop --no-audit --no-fund --loglevel=error
  echo "$lock_sum" > test/interop/node_modules/.envelope-lock-sha256
fi
