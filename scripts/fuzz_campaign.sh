#!/usr/bin/env bash
# A fuzzing campaign measured in CPU time, not wall time: each target runs
# until its fuzzer has used ENVELOPE_CAMPAIGN_CPU_SECONDS of CPU (user +
# system, default 3600: the CPU-hour per target of issue 21), however busy
# the machine is, then stops cleanly (SIGINT: libFuzzer prints its final
# stats). Then the new inputs that add edges are merged into the committed
# corpus (`-merge=1 -use_counters=0`, edges only, so corpora stay small).
#
#   scripts/fuzz_campaign.sh target...
#   ENVELOPE_CAMPAIGN_CPU_SECONDS=3600   CPU seconds per target
#   ENVELOPE_CAMPAIGN_PARALLEL=2         targets at once
#   ENVELOPE_CAMPAIGN_NICE=19            niceness (default 19: take idle CPU)
#   ENVELOPE_CAMPAIGN_MERGE=0            skip the merge into fuzz/corpus
#   ENVELOPE_CAMPAIGN_WALL_SECONDS=N     also stop a target after N seconds of
#                                        wall time (default: no limit)
#   ENVELOPE_CAMPAIGN_TIMEOUT=25         libFuzzer's -timeout, wall seconds per
#                                        input (raise it when something may
#                                        pause the fuzzers, e.g. SIGSTOP for a
#                                        quiet benchmark: the pause counts)
#   ENVELOPE_CAMPAIGN_UNTIL=TIME         stop every target at this wall-clock
#                                        time (anything `date -d` reads) and
#                                        start none after it; the stopped
#                                        targets are merged as usual
#
# Uses the build of scripts/fuzz.sh (build-fuzz; run `scripts/fuzz.sh
# TARGET` once, or let this script build the targets it needs). Prints one
# line per target: CPU seconds, wall seconds, executions, exec/s of CPU
# time, edges at start and end, new units, units merged. A crash fails the
# script and leaves the reproducer in build-fuzz/artifacts/<target>/.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
build=build-fuzz
budget=${ENVELOPE_CAMPAIGN_CPU_SECONDS:-3600}
parallel=${ENVELOPE_CAMPAIGN_PARALLEL:-2}
niceness=${ENVELOPE_CAMPAIGN_NICE:-19}
merge=${ENVELOPE_CAMPAIGN_MERGE:-1}
wall_limit=${ENVELOPE_CAMPAIGN_WALL_SECONDS:-0}
timeout=${ENVELOPE_CAMPAIGN_TIMEOUT:-25}
until=0
if [ -n "${ENVELOPE_CAMPAIGN_UNTIL:-}" ]; then
  until=$(date -d "$ENVELOPE_CAMPAIGN_UNTIL" +%s) ||
    { echo "ENVELOPE_CAMPAIGN_UNTIL: cannot read '$ENVELOPE_CAMPAIGN_UNTIL'" >&2; exit 2; }
fi
# past_until: the wall-clock stop has come.
past_until() { [ "$until" -gt 0 ] && [ "$(date +%s)" -ge "$until" ]; }
[ $# -gt 0 ] || { echo "usage: $0 target..." >&2; exit 2; }
targets=("$@")

# -max_len per target: the one table, in fuzz.sh.
max_len_of() {
  sed -n "s/^max_len\[$1\]=\([0-9]*\).*/\1/p" "$root/scripts/fuzz.sh" | head -n 1
}

if [ ! -f $build/build.ninja ]; then
  ENVELOPE_FUZZ_SECONDS=1 scripts/fuzz.sh "${targets[0]}" >/dev/null
fi
nice -n "$niceness" ninja -C $build -j2 $(printf 'fuzz/%s ' "${targets[@]}") >/dev/null

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
ticks=$(getconf CLK_TCK)

# cpu_of PID: user + system seconds of a live process.
cpu_of() {
  awk -v t="$ticks" '{print int(($14 + $15) / t)}' "/proc/$1/stat" 2>/dev/null || echo 0
}

campaign() {
  local t=$1
  local work=$root/$build/campaign/$t
  local artifacts=$root/$build/artifacts/$t
  local log=$root/$build/campaign-$t.log
  mkdir -p "$work" "$artifacts"
  local dict=()
  [ -f fuzz/$t.dict ] && dict=(-dict="$root/fuzz/$t.dict")
  local start=$SECONDS
  (cd "$work" && exec nice -n "$niceness" "$root/$build/fuzz/$t" -max_len="$(max_len_of "$t")" \
    -timeout="$timeout" -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$artifacts/" "${dict[@]}" "$work" "$root/fuzz/corpus/$t") >"$log" 2>&1 &
  local pid=$! cpu=0 stopped=0
  while kill -0 "$pid" 2>/dev/null; do
    cpu=$(cpu_of "$pid")
    if [ "$cpu" -ge "$budget" ] || past_until ||
      { [ "$wall_limit" -gt 0 ] && [ $((SECONDS - start)) -ge "$wall_limit" ]; }; then
      kill -INT "$pid" 2>/dev/null || true
      stopped=1
      break
    fi
    sleep 5
  done
  local rc=0
  wait "$pid" || rc=$?
  # libFuzzer exits 72 when interrupted (this libFuzzer has no
  # -interrupted_exitcode): our stop, not a finding.
  if [ "$rc" = 72 ] && [ "$stopped" = 1 ]; then rc=0; fi
  local execs cov0 cov1 units merged=0
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  cov0=$(grep -m1 -o 'INITED cov: [0-9]*' "$log" | awk '{print $3}')
  cov1=$(grep -o 'cov: [0-9]*' "$log" | awk '{print $2}' | sort -n | tail -n 1)
  units=$(find "$work" -type f | wc -l)
  if [ "$rc" = 0 ] && [ "$merge" = 1 ] && [ "$units" -gt 0 ]; then
    local before after
    before=$(find "fuzz/corpus/$t" -type f | wc -l)
    nice -n "$niceness" "$root/$build/fuzz/$t" -merge=1 -use_counters=0 \
      -max_len="$(max_len_of "$t")" "fuzz/corpus/$t" "$work" >"$log.merge" 2>&1 || rc=$?
    after=$(find "fuzz/corpus/$t" -type f | wc -l)
    merged=$((after - before))
  fi
  printf '%-16s %7s %7s %11s %9s %6s %6s %6s %6s\n' "$t" "$cpu" "$((SECONDS - start))" \
    "${execs:-?}" "$(( ${execs:-0} / (cpu > 0 ? cpu : 1) ))" "${cov0:-?}" "${cov1:-?}" \
    "$units" "$merged" >"$root/$build/campaign-$t.result"
  echo "$rc" >"$root/$build/campaign-$t.status"
}

for t in "${targets[@]}"; do
  rm -f "$build/campaign-$t.result" "$build/campaign-$t.status"
done
running=0
for t in "${targets[@]}"; do
  if [ "$running" -ge "$parallel" ]; then
    wait -n || true
    running=$((running - 1))
  fi
  past_until && break
  campaign "$t" &
  running=$((running + 1))
done
wait || true

status=0
printf '%-16s %7s %7s %11s %9s %6s %6s %6s %6s\n' target cpu_s wall_s execs exec/cpu_s \
  cov0 cov1 units merged
for t in "${targets[@]}"; do
  if [ ! -f "$build/campaign-$t.status" ] && past_until; then
    printf '%-16s not started (ENVELOPE_CAMPAIGN_UNTIL)\n' "$t"
    continue
  fi
  cat "$build/campaign-$t.result" 2>/dev/null || printf '%-16s did not run\n' "$t"
  if [ "$(cat "$build/campaign-$t.status" 2>/dev/null || echo missing)" != 0 ]; then
    echo "campaign: $t FAILED, see $build/campaign-$t.log and $build/artifacts/$t/" >&2
    status=1
  fi
done
exit $status
