#!/usr/bin/env bash
# The formatting check of CI (scripts/test.sh runs it): every tracked C and
# C++ file must be exactly what clang-format-14 makes of it with the repo's
# .clang-format (Google style). Lists the files that are not and exits 1;
# exits 2 when clang-format-14 is missing. Needs no network and no build.
# Fix with: clang-format-14 -i FILE...
set -euo pipefail
cd "$(dirname "$0")/.."

clang_format=${CLANG_FORMAT:-clang-format-14}
if ! command -v "$clang_format" >/dev/null; then
  echo "format_check: $clang_format not found; hint: scripts/bootstrap.sh installs it" \
    "(Debian: clang-format-14)" >&2
  exit 2
fi

# --dry-run --Werror reports a file that would change as an error; one error
# a file is enough to name it.
bad=$(git ls-files -z -- '*.c' '*.cc' '*.cpp' '*.h' '*.hpp' |
  xargs -0 -n 64 -P 2 "$clang_format" --dry-run --Werror --ferror-limit=1 2>&1 |
  sed -n 's/^\([^:]*\):[0-9]*:[0-9]*: error: code should be clang-formatted.*/\1/p' |
  sort -u) || true  # xargs exits 123 when a file fails: the list says which
if [ -n "$bad" ]; then
  echo "format_check: not clang-formatted (fix: $clang_format -i FILE):" >&2
  printf '  %s\n' $bad >&2
  exit 1
fi
echo "format_check: $(git ls-files -- '*.c' '*.cc' '*.cpp' '*.h' '*.hpp' | wc -l) files clang-formatted"
