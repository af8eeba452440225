#!/usr/bin/env bash
# The main job: the power-on self tests, then an encrypt/decrypt round trip
# on the default keystore ($ENVELOPE_HOME, else $XDG_DATA_HOME/envelope, else
# ~/.local/share/envelope; created on first use) under its managed default
# key (the SSE-S3 mode: no key option), checked byte for byte.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=build/tools

"$bin/envelope" selftest

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# A payload that spans many frames: 8 MiB of random bytes and a text tail.
head -c 8388608 /dev/urandom >"$work/report.bin"
echo "quarterly report, not for the public" >>"$work/report.bin"

"$bin/encrypt" -c purpose=demo -o "$work/report.bin.encrypted" "$work/report.bin"
"$bin/envelope" inspect "$work/report.bin.encrypted"
"$bin/decrypt" --require-context purpose=demo -o "$work/report.out" "$work/report.bin.encrypted"
cmp "$work/report.bin" "$work/report.out"

plain=$(stat -c %s "$work/report.bin")
sealed=$(stat -c %s "$work/report.bin.encrypted")
echo "demo: round trip ok: $plain bytes -> $sealed bytes encrypted -> $plain bytes decrypted, identical"
