#!/usr/bin/env bash
# Build the fuzzing configuration (clang, libFuzzer, ASan+UBSan) in
# build-fuzz and run every target from its corpus for a time budget.
#
#   scripts/fuzz.sh [target...]         all targets by default
#   ENVELOPE_FUZZ_SECONDS=600 scripts/fuzz.sh   seconds per target (default 60)
#   ENVELOPE_FUZZ_PARALLEL=2             targets run at the same time (default:
#                                        the number of cores, at most 2)
#   ENVELOPE_FUZZ_JOBS=2                 parallel libFuzzer workers per target
#   ENVELOPE_FUZZ_NICE=19                run the fuzzers under nice (default 0)
#
# New inputs go to build-fuzz/corpus/<target>/ (the committed corpus is only
# read). Any crash, leak, sanitizer report or property violation fails the
# script; the reproducer is left in build-fuzz/artifacts/<target>/. For each
# target it prints the wall and CPU seconds, executions per second and edges
# covered (cov:) from libFuzzer's final stats, in the order the targets were
# given, once all have run.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

seconds=${ENVELOPE_FUZZ_SECONDS:-60}
jobs=${ENVELOPE_FUZZ_JOBS:-1}
cores=$(nproc 2>/dev/null || echo 1)
parallel_default=$((cores < 2 ? cores : 2))
parallel=${ENVELOPE_FUZZ_PARALLEL:-$parallel_default}
[ "$parallel" -ge 1 ] || parallel=1
niceness=${ENVELOPE_FUZZ_NICE:-0}
build=build-fuzz

# -max_len per target, one line each: big enough for the seeds that matter,
# small enough to stay fast.
declare -A max_len=()
max_len[message_header]=17408     # a header with a context at the 16 KiB limit
max_len[message_decrypt]=20480    # a message of a few frames; the 16 KiB context
max_len[chunked_decrypt]=49152    # a chunked ciphertext of three chunks
max_len[kms_blob]=4200            # a 4 KiB KMS blob
max_len[kms_api]=2048             # 24 operations
max_len[keystore_load]=8192       # a keystore of a few keys
max_len[roundtrip]=4096
max_len[cli_args]=2048
max_len[sigv4]=4096               # a signed AWS request
max_len[aws_config]=4096          # shared config files, a credential_process line
max_len[aes_gcm_diff]=70000       # AES-GCM messages of four 16 KiB chunks
max_len[kms_request]=8192
max_len[policy]=8192              # a key policy document
max_len[secrets_api]=8192         # 12 SSM / Secrets Manager requests
max_len[inspect]=20480            # the message_decrypt seeds
max_len[pkcs11_uri]=1024          # a URI with a module path and a pin source
max_len[customer_key]=1024        # four EDKs of 77-byte info
max_len[passphrase_edk]=1024      # four EDKs of 37-byte info
max_len[kms_keyring]=1024         # four EDKs with key ids and blobs
max_len[root_key]=4200            # a passphrase file at the 4096-byte limit
max_len[chunked_seal]=33000       # two chunks and a bit
max_len[armor]=8192               # a message of a few KiB as armored text

# Targets in the order they run (and report), one line each.
all_targets=()
all_targets+=(message_header)
all_targets+=(message_decrypt)
all_targets+=(chunked_decrypt)
all_targets+=(kms_blob)
all_targets+=(kms_api)
all_targets+=(keystore_load)
all_targets+=(roundtrip)
all_targets+=(cli_args)
all_targets+=(sigv4)
all_targets+=(aws_config)
all_targets+=(aes_gcm_diff)
all_targets+=(kms_request)
all_targets+=(policy)
all_targets+=(secrets_api)
all_targets+=(inspect)
all_targets+=(pkcs11_uri)
all_targets+=(customer_key)
all_targets+=(passphrase_edk)
all_targets+=(kms_keyring)
all_targets+=(root_key)
all_targets+=(chunked_seal)
all_targets+=(armor)

targets=("$@")

if [ ! -f $build/build.ninja ]; then
  CC=clang CXX=clang++ meson setup $build --buildtype=debugoptimized -Dfuzzing=enabled -Dwerror=true \
    -Db_lundef=false -Ddefault_library=static -Dtests=disabled -Dbenchmarks=disabled \
    -Dexamples=disabled >/dev/null
fi
# Targets named on the command line: only they (and what they need) are built.
if [ ${#targets[@]} -gt 0 ]; then
  ninja -C $build -j2 $(printf 'fuzz/%s ' "${targets[@]}") >/dev/null
else
  ninja -C $build -j2 >/dev/null
fi
# By default every target this configuration builds (kms_request needs the
# server, that is Boost); a target named on the command line must exist.
if [ ${#targets[@]} -eq 0 ]; then
  for t in "${all_targets[@]}"; do
    if [ -x "$build/fuzz/$t" ]; then
      targets+=("$t")
    else
      echo "fuzz: $t is not built in this configuration, skipped" >&2
    fi
  done
fi
for t in "${targets[@]}"; do
  if [ ! -x "$build/fuzz/$t" ]; then
    echo "fuzz: no target $t in $build/fuzz/" >&2
    exit 2
  fi
done

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

# Runs one target; writes its log, its result line and its exit status under
# $build/fuzz-<target>.*. Each runs in its own folder: with -jobs libFuzzer
# writes its workers' logs to ./fuzz-N.log.
run_target() {
  local t=$1
  local work=$root/$build/corpus/$t
  local artifacts=$root/$build/artifacts/$t
  local log=$root/$build/fuzz-$t.log
  local cwd=$root/$build/run/$t
  rm -rf "$cwd"
  mkdir -p "$work" "$artifacts" "$cwd"
  local dict=()
  [ -f fuzz/$t.dict ] && dict=(-dict="$root/fuzz/$t.dict")
  local workers=()
  [ "$jobs" -gt 1 ] && workers=(-jobs="$jobs" -workers="$jobs")
  local start=$SECONDS rc=0 TIMEFORMAT='%U %S'
  # `time` gives the CPU seconds the fuzzer (and its workers) really got,
  # which on a busy machine is far less than the wall time.
  { time { (cd "$cwd" && exec nice -n "$niceness" "$root/$build/fuzz/$t" \
      -max_total_time="$seconds" -max_len="${max_len[$t]:-4096}" \
      -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 "${workers[@]}" \
      -artifact_prefix="$artifacts/" "${dict[@]}" "$work" "$root/fuzz/corpus/$t") \
      >"$log" 2>&1 || rc=$?; }; } 2>"$cwd/cpu"
  if [ "$jobs" -gt 1 ]; then
    cat "$cwd"/fuzz-*.log >>"$log" 2>/dev/null || true
  fi
  local execs cov files cpu
  cpu=$(awk '{printf "%.1f", $1 + $2}' "$cwd/cpu" 2>/dev/null || echo '?')
  execs=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | awk '{s+=$2} END {print s+0}' || true)
  cov=$(grep -o 'cov: [0-9]*' "$log" | awk '{print $2}' | sort -n | tail -1 || true)
  files=$(find "$work" -type f | wc -l)
  printf '%-16s %8s %8s %10s %8s %8s\n' "$t" "$((SECONDS - start))" "$cpu" "$execs" \
    "${cov:-?}" "$files" >"$root/$build/fuzz-$t.result"
  echo "$rc" >"$root/$build/fuzz-$t.status"
}

for t in "${targets[@]}"; do
  rm -f "$build/fuzz-$t.result" "$build/fuzz-$t.status"
done
running=0
for t in "${targets[@]}"; do
  if [ "$running" -ge "$parallel" ]; then
    wait -n || true
    running=$((running - 1))
  fi
  run_target "$t" &
  running=$((running + 1))
done
wait || true

status=0
printf '%-16s %8s %8s %10s %8s %8s\n' target seconds cpu_s execs/s cov:edges corpus
for t in "${targets[@]}"; do
  cat "$build/fuzz-$t.result" 2>/dev/null || printf '%-16s did not run\n' "$t"
done
for t in "${targets[@]}"; do
  rc=$(cat "$build/fuzz-$t.status" 2>/dev/null || echo missing)
  if [ "$rc" != 0 ]; then
    echo "fuzz: $t FAILED (exit $rc), see $build/fuzz-$t.log and $build/artifacts/$t/" >&2
    tail -n 40 "$build/fuzz-$t.log" >&2 || true
    status=1
  fi
done
[ $status -eq 0 ] && echo "fuzz: all targets ran ${seconds}s without a finding"
exit $status
