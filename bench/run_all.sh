#!/usr/bin/env bash
# bench/run_all.sh: every measurement BENCHMARKS.md quotes, in one run, raw
# output into OUT_DIR (default bench-results/). Run on a quiet machine after
# `scripts/bootstrap.sh` (release build in build/). About 25 minutes on two
# cores. Not part of the test suite.
#
#   bench/run_all.sh [OUT_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mkdir -p "${1:-bench-results}" && cd "${1:-bench-results}" && pwd)
b=build/bench
[ -x /usr/bin/time ] || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }

{
  lscpu | grep -E 'Model name|^CPU\(s\)|CPU family|^Model:'
  echo "AES flags: $(grep -o -w -E 'aes|vaes|vpclmulqdq|avx512f' /proc/cpuinfo | sort -u | tr '\n' ' ')"
  free -g | head -2
  uname -r
  openssl version
  g++ --version | head -1
} > "$out/machine.txt"

echo "run_all: AES-256-GCM wrapper vs bare EVP" >&2
# Repetitions interleaved at random, so a slow spell of a shared machine
# does not land on one side of a ratio.
shuffle=--benchmark_enable_random_interleaving=true
bench/compare.py $b/aes_gcm_bench --repetitions 20 -- $shuffle > "$out/aes_gcm.md"

echo "run_all: chunked encryption (256 MiB, 1 and all threads, random access)" >&2
$b/chunked_bench --benchmark_repetitions=15 $shuffle > "$out/chunked.txt"

echo "run_all: messages 0x0478/0x0578 (256 MiB) and openssl speed sha384" >&2
$b/message_bench --benchmark_filter='BM_Stream(En|De)crypt/suite:1144|BM_Bare' \
  --benchmark_repetitions=15 $shuffle > "$out/message.txt"
$b/message_bench --benchmark_filter='BM_Stream' --benchmark_repetitions=9 $shuffle \
  --benchmark_report_aggregates_only=true > "$out/message_all_suites.txt"
openssl speed -seconds 3 -bytes 1048576 -evp sha384 > "$out/sha384.txt" 2>/dev/null

echo "run_all: 2 GiB through the chunked streaming API, peak memory" >&2
tmp=$(mktemp -d /tmp/run-all-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
head -c 32 /dev/urandom > "$tmp/key"
head -c $((2 << 30)) /dev/urandom > "$tmp/big"
for dir in encrypt decrypt; do
  in=$tmp/big; o=$tmp/big.c2sp
  [ $dir = decrypt ] && { in=$tmp/big.c2sp; o=$tmp/big.out; }
  /usr/bin/time -v $b/chunked_file $dir "$tmp/key" "$in" "$o" 2> "$out/chunked_file_$dir.txt"
done
cmp "$tmp/big" "$tmp/big.out"
rm -f "$tmp/big" "$tmp/big.c2sp" "$tmp/big.out"

echo "run_all: PKCS#11 (SoftHSM2) messages per second" >&2
$b/pkcs11_bench --benchmark_min_time=0.5 > "$out/pkcs11.txt"

echo "run_all: rewrap of 1 KiB and 1 GiB messages (TMPDIR=${TMPDIR:-/tmp})" >&2
build/test/keyring/keyring_test -tc='Rewrap: 1 KiB and 1 GiB*' --no-skip > "$out/rewrap.txt"

echo "run_all: whole commands (1 GiB)" >&2
bench/cli_compare.sh build > "$out/cli_compare.md"
echo "run_all: results in $out" >&2
