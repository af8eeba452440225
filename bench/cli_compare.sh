#!/usr/bin/env bash
# bench/cli_compare.sh: whole-command comparison of encrypt/decrypt with
# age, gpg, openssl enc and cp/cat, on a random file read from the page
# cache. Each row is the median of RUNS runs (wall time and peak RSS from
# /usr/bin/time -v). Prints a markdown table.
#
#   bench/cli_compare.sh [BUILD_DIR]          # default build dir: ./build
#   SIZE_MIB=1024 RUNS=5 SMALL_RUNS=21 bench/cli_compare.sh build
#
# Not part of the test suite. Missing tools (age, gpg, GNU time) are
# installed with apt-get when the script runs.
set -euo pipefail

BUILD=$(cd "${1:-build}" && pwd)
SIZE_MIB=${SIZE_MIB:-1024}
RUNS=${RUNS:-5}
SMALL_RUNS=${SMALL_RUNS:-21}
ENC="$BUILD/tools/encrypt"
DEC="$BUILD/tools/decrypt"
[ -x "$ENC" ] && [ -x "$DEC" ] || { echo "cli_compare: build the tools first ($ENC)" >&2; exit 2; }

missing=()
command -v age >/dev/null && command -v age-keygen >/dev/null || missing+=(age)
command -v gpg >/dev/null || missing+=(gpg)
command -v openssl >/dev/null || missing+=(openssl)
[ -x /usr/bin/time ] || missing+=(time)
if [ ${#missing[@]} -gt 0 ]; then
  echo "cli_compare: installing ${missing[*]}" >&2
  apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
fi

WORK=$(mktemp -d /tmp/cli-compare-XXXXXX)
trap 'rm -rf "$WORK"' EXIT
export ENVELOPE_HOME="$WORK/keystore"
export GNUPGHOME="$WORK/gnupg"
mkdir -m 700 "$GNUPGHOME"
cd "$WORK"

echo "cli_compare: preparing a ${SIZE_MIB} MiB random file" >&2
head -c $((SIZE_MIB << 20)) /dev/urandom > in.bin
head -c 1024 /dev/urandom > small.bin
printf 'bench passphrase\n' > pass.txt
chmod 600 pass.txt
age-keygen -o age.key 2>/dev/null
AGE_RECIPIENT=$(age-keygen -y age.key)
GPG_OPTS=(--batch --yes --quiet --pinentry-mode loopback --passphrase-file pass.txt)

# Inputs for the decrypt rows, made once.
"$ENC" -o in.enc in.bin
"$ENC" -o small.enc small.bin
age -r "$AGE_RECIPIENT" -o in.age in.bin
gpg "${GPG_OPTS[@]}" --symmetric --cipher-algo AES256 --compress-algo none -o in.gpg in.bin
openssl enc -aes-256-ctr -pbkdf2 -pass file:pass.txt -in in.bin -out in.ossl
cat in.bin in.enc in.age in.gpg in.ossl > /dev/null  # into the page cache

# measure RUNS CMD: runs CMD (a shell string; "out" is removed before each
# run) and prints "median_seconds median_peak_rss_kib".
measure() {
  local runs=$1 cmd=$2 i
  : > times.txt
  for ((i = 0; i < runs; i++)); do
    rm -f out
    # Wall time in nanoseconds around the whole command (time -v reports
    # only hundredths of a second); peak RSS from time -v.
    local start end
    start=$(date +%s%N)
    /usr/bin/time -v -o time.txt bash -c "$cmd" > /dev/null
    end=$(date +%s%N)
    awk -F': ' -v ns=$((end - start)) '
      /Maximum resident set size/ { m = $2 }
      END { printf "%.6f %d\n", ns / 1e9, m }' time.txt >> times.txt
  done
  local mid=$(((runs + 1) / 2))
  local t m
  t=$(cut -d' ' -f1 times.txt | sort -g | sed -n "${mid}p")
  m=$(cut -d' ' -f2 times.txt | sort -n | sed -n "${mid}p")
  echo "$t $m"
}

row() {  # row TOOL OPERATION OUTPUT CMD
  local tool=$1 op=$2 output=$3 cmd=$4 r t m
  echo "cli_compare: $tool $op -> $output" >&2
  r=$(measure "$RUNS" "$cmd")
  t=${r% *}
  m=${r#* }
  awk -v tool="$tool" -v op="$op" -v out="$output" -v t="$t" -v m="$m" -v size="$SIZE_MIB" \
    'BEGIN { printf "| %s | %s | %s | %.3f | %.0f | %.1f |\n", tool, op, out, t,
             (t > 0 ? size / t : 0), m / 1024 }'
}

latency() {  # latency TOOL OPERATION CMD
  local tool=$1 op=$2 cmd=$3 r
  echo "cli_compare: $tool $op (1 KiB)" >&2
  r=$(measure "$SMALL_RUNS" "$cmd")
  awk -v tool="$tool" -v op="$op" -v t="${r% *}" -v m="${r#* }" \
    'BEGIN { printf "| %s | %s | %.1f ms | %.1f |\n", tool, op, t * 1000, m / 1024 }'
}

echo "### Whole commands on ${SIZE_MIB} MiB from the page cache (median of $RUNS)"
echo
echo "| tool | operation | output | seconds | MiB/s | peak RSS (MiB) |"
echo "|---|---|---|---:|---:|---:|"
row cat read /dev/null "cat in.bin > /dev/null"
row cp copy file "cp in.bin out"
row encrypt "encrypt (default key, all cores)" /dev/null "'$ENC' -o /dev/null in.bin"
row encrypt "encrypt (default key, all cores)" file "'$ENC' -o out in.bin"
row encrypt "encrypt --threads 1" /dev/null "'$ENC' --threads 1 -o /dev/null in.bin"
row encrypt "encrypt --threads 1" file "'$ENC' --threads 1 -o out in.bin"
row decrypt "decrypt (all cores)" /dev/null "'$DEC' -o /dev/null in.enc"
row decrypt "decrypt (all cores)" file "'$DEC' -o out in.enc"
row decrypt "decrypt --threads 1" /dev/null "'$DEC' --threads 1 -o /dev/null in.enc"
row age "encrypt (X25519)" /dev/null "age -r $AGE_RECIPIENT in.bin > /dev/null"
row age "encrypt (X25519)" file "age -r $AGE_RECIPIENT -o out in.bin"
row age decrypt /dev/null "age -d -i age.key in.age > /dev/null"
row age decrypt file "age -d -i age.key -o out in.age"
row gpg "--symmetric AES256" /dev/null \
  "gpg ${GPG_OPTS[*]} --symmetric --cipher-algo AES256 --compress-algo none -o - in.bin > /dev/null"
row gpg "--symmetric AES256" file \
  "gpg ${GPG_OPTS[*]} --symmetric --cipher-algo AES256 --compress-algo none -o out in.bin"
row gpg decrypt /dev/null "gpg ${GPG_OPTS[*]} -d -o - in.gpg > /dev/null"
row gpg decrypt file "gpg ${GPG_OPTS[*]} -d -o out in.gpg"
row openssl "enc -aes-256-ctr -pbkdf2" /dev/null \
  "openssl enc -aes-256-ctr -pbkdf2 -pass file:pass.txt -in in.bin -out /dev/null"
row openssl "enc -aes-256-ctr -pbkdf2" file \
  "openssl enc -aes-256-ctr -pbkdf2 -pass file:pass.txt -in in.bin -out out"
row openssl "enc -d" file "openssl enc -d -aes-256-ctr -pbkdf2 -pass file:pass.txt -in in.ossl -out out"

echo
echo "### 1 KiB latency, whole command (median of $SMALL_RUNS)"
echo
echo "| tool | operation | wall time | peak RSS (MiB) |"
echo "|---|---|---:|---:|"
latency true "process start (baseline)" "true"
latency encrypt "--version (process start)" "'$ENC' --version"
latency encrypt "encrypt (managed default key)" "'$ENC' -o /dev/null small.bin"
latency decrypt "decrypt (managed default key)" "'$DEC' -o /dev/null small.enc"
latency age "encrypt (X25519)" "age -r $AGE_RECIPIENT small.bin > /dev/null"
latency openssl "enc -aes-256-ctr -pbkdf2" \
  "openssl enc -aes-256-ctr -pbkdf2 -pass file:pass.txt -in small.bin -out /dev/null"
