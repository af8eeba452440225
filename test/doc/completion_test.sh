#!/usr/bin/env bash
# test/doc/completion_test.sh: doc/completion.bash completes options and
# subcommands from the tools' own --help.
#
#   completion_test.sh COMPLETION_SCRIPT ENCRYPT ENVELOPE
set -euo pipefail
# shellcheck source=/dev/null
source "$1"
encrypt=$2
envelope=$3
failures=0

# complete_words WORD...: run the completion function for the command line
# WORD... (the last word is being completed) and print COMPREPLY.
complete_words() {
  COMP_WORDS=("$@")
  COMP_CWORD=$(($# - 1))
  COMPREPLY=()
  _envelope_tools
  printf '%s\n' "${COMPREPLY[@]}"
}

# expect WANT WORD...: WANT must be among the completions of WORD...
expect() {
  local want=$1
  shift
  if ! complete_words "$@" | grep -qx -- "$want"; then
    echo "completion_test: '$*' does not offer '$want'; got: $(complete_words "$@" | tr '\n' ' ')" >&2
    failures=$((failures + 1))
  fi
}

expect --armor "$encrypt" --ar
expect --output "$encrypt" -q --out
expect --commitment-policy "$encrypt" --commit
expect keys "$envelope" ke
expect encrypt "$envelope" enc
expect rotation "$envelope" keys rot
expect enable "$envelope" keys rotation en
expect --require-context "$envelope" decrypt --require
# Options of a subcommand, not of its parent.
if complete_words "$envelope" keys --ar | grep -q -- --armor; then
  echo "completion_test: 'envelope keys --ar' offers encrypt's --armor" >&2
  failures=$((failures + 1))
fi
[ "$failures" -eq 0 ] || { echo "completion_test: $failures failed" >&2; exit 1; }
echo "completion_test: ok"
