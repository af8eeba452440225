#!/usr/bin/env bash
# Build the fuzzing configuration (clang, libFuzzer, ASan+UBSan) in
# build-fuzz and run every target from its corpus for a time budget.
#
#   scripts/fuzz.sh [target...]         all targets by default
#   ENVELOPE_FUZZ_SECONDS=600 scripts/fuzz.sh   seconds per target (default 60)
#   ENVELOPE_FUZZ_JOBS=2                 parallel libFuzzer workers per target
#
# New inputs go to build-fuzz/corpus/<target>/ (the committed corpus is only
# read). Any crash, leak, sanitizer report or property violation fails the
# script; the reproducer is left in build-fuzz/artifacts/<target>/. For each
# target it prints executions per second and edges covered (cov:) from
# libFuzzer's final stats.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${ENVELOPE_FUZZ_SECONDS:-60}
jobs=${ENVELOPE_FUZZ_JOBS:-1}
build=build-fuzz

# -max_len per target: big enough for the seeds that matter (a message of a
# few frames, a chunked ciphertext of three chunks, a 4 KiB KMS blob, a
# keystore of a few keys, a signed AWS request, AES-GCM messages of four
# 16 KiB chunks), small enough to stay fast.
declare -A max_len=(
  [message_header]=4096
  [message_decrypt]=16384
  [chunked_decrypt]=49152
  [kms_blob]=4200
  [kms_api]=2048
  [keystore_load]=8192
  [roundtrip]=4096
  [cli_args]=2048
  [sigv4]=4096
  [aes_gcm_diff]=70000
  [kms_request]=8192
  [policy]=8192
)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(message_header message_decrypt chunked_decrypt kms_blob kms_api keystore_load roundtrip cli_args sigv4 aes_gcm_diff kms_request policy)

if [ ! -f $build/build.ninja ]; then
  CC=clang CXX=clang++ meson setup $build --buildtype=debugoptimized -Dfuzzing=enabled \
    -Db_lundef=false -Ddefault_library=static -Dtests=disabled -Dbenchmarks=disabled \
    -Dexamples=disabled >/dev/null
fi
ninja -C $build -j2 >/dev/null

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

status=0
printf '%-16s %8s %10s %8s %8s\n' target seconds execs/s cov:edges corpus
for t in "${targets[@]}"; do
  work=$build/corpus/$t
  artifacts=$build/artifacts/$t
  log=$build/fuzz-$t.log
  mkdir -p "$work" "$artifacts"
  dict=()
  [ -f fuzz/$t.dict ] && dict=(-dict=fuzz/$t.dict)
  # -jobs makes libFuzzer fork workers that log to ./fuzz-N.log: only when
  # more than one is asked for.
  parallel=()
  [ "$jobs" -gt 1 ] && parallel=(-jobs="$jobs" -workers="$jobs")
  start=$SECONDS
  if ! "$build/fuzz/$t" -max_total_time="$seconds" -max_len="${max_len[$t]:-4096}" \
      -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 "${parallel[@]}" \
      -artifact_prefix="$artifacts/" "${dict[@]}" "$work" "fuzz/corpus/$t" >"$log" 2>&1; then
    echo "fuzz: $t FAILED, see $log and $artifacts/" >&2
    tail -n 40 "$log" >&2
    status=1
  fi
  if [ "$jobs" -gt 1 ]; then
    cat fuzz-*.log >>"$log" 2>/dev/null || true
    rm -f fuzz-*.log
  fi
  execs=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | awk '{s+=$2} END {print s+0}')
  cov=$(grep -o 'cov: [0-9]*' "$log" | awk '{print $2}' | sort -n | tail -1)
  files=$(find "$work" -type f | wc -l)
  printf '%-16s %8s %10s %8s %8s\n' "$t" "$((SECONDS - start))" "$execs" "${cov:-?}" "$files"
done
[ $status -eq 0 ] && echo "fuzz: all targets ran ${seconds}s without a finding"
exit $status
