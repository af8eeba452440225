#!/usr/bin/env bash
# Source-based coverage (clang 14) of the library reached by the committed
# fuzz corpora: builds every harness with -fprofile-instr-generate
# -fcoverage-mapping in build-cov (replay main, no sanitizers), runs each
# target once over fuzz/corpus/<target>/ (or the folders given in
# ENVELOPE_COV_CORPUS, a colon-separated list of roots that hold <target>/
# folders), merges the profiles and prints line and branch coverage per
# library file and one summary line per layer (lib/<layer>), as a markdown
# table. The tools' own code that a harness links (cli_args: the option
# parsing and the armor decoder in tools/commands) is listed too.
#
#   scripts/fuzz_coverage.sh [target...]        all targets by default
#   ENVELOPE_COV_CORPUS=fuzz/corpus:build-fuzz/corpus scripts/fuzz_coverage.sh
#   ENVELOPE_COV_FILES='lib/message/header.cc lib/kms/.*'   rows to show
#                                               (regexes; default: every file)
#
# The merged profile stays in build-cov/coverage/all.profdata, and
# `llvm-cov show` can use it (the command is printed at the end).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
build=build-cov
llvm_cov=$(command -v llvm-cov-14 || command -v llvm-cov)
llvm_profdata=$(command -v llvm-profdata-14 || command -v llvm-profdata)

if [ ! -f $build/build.ninja ]; then
  LLVM_PROFILE_FILE=/dev/null CC=clang CXX=clang++ \
  CFLAGS='-fprofile-instr-generate -fcoverage-mapping' \
  CXXFLAGS='-fprofile-instr-generate -fcoverage-mapping' \
  LDFLAGS='-fprofile-instr-generate -fcoverage-mapping' \
    meson setup $build -Doptimization=1 -Ddebug=false -Db_ndebug=false \
    -Ddefault_library=static -Dtests=disabled -Dbenchmarks=disabled \
    -Dexamples=disabled >/dev/null
fi

# The harnesses are the executables of fuzz/meson.build that have a corpus
# (not esdk_diff, nor make_corpus, which only fuzzing builds have).
mapfile -t all_targets < <(meson introspect $build --targets |
  python3 -c 'import json, os, sys
for t in json.load(sys.stdin):
    if (t["type"] == "executable" and t["defined_in"].endswith("fuzz/meson.build")
            and os.path.isdir(os.path.join("fuzz/corpus", t["name"]))):
        print(t["name"])' | sort)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${all_targets[@]}")
ninja -C $build -j2 $(printf 'fuzz/%s ' "${targets[@]}") >/dev/null

IFS=: read -r -a corpora <<<"${ENVELOPE_COV_CORPUS:-fuzz/corpus}"
out=$build/coverage
rm -rf "$out"
mkdir -p "$out"
objects=()
for t in "${targets[@]}"; do
  dirs=()
  for c in "${corpora[@]}"; do
    [[ $c == /* ]] || c=$root/$c
    if [ -d "$c/$t" ]; then dirs+=("$c/$t"); fi
  done
  if [ ${#dirs[@]} -eq 0 ]; then
    echo "coverage: no corpus for $t" >&2
    continue
  fi
  # Each harness runs in its own folder (kms_api makes scratch keystores).
  mkdir -p "$out/run-$t"
  if ! (cd "$out/run-$t" && LLVM_PROFILE_FILE="$root/$out/$t-%p.profraw" \
        "$root/$build/fuzz/$t" "${dirs[@]}") >"$out/$t.log" 2>&1; then
    echo "coverage: $t failed on its corpus, see $out/$t.log" >&2
    exit 1
  fi
  objects+=(-object "$build/fuzz/$t")
done
"$llvm_profdata" merge -sparse "$out"/*.profraw -o "$out/all.profdata"
"$llvm_cov" export -summary-only -instr-profile="$out/all.profdata" "${objects[@]:1}" \
  >"$out/summary.json"

python3 - "$out/summary.json" "$root" "${ENVELOPE_COV_FILES:-.*}" <<'PY'
import json, os, re, sys
data = json.load(open(sys.argv[1]))
root = sys.argv[2].rstrip("/") + "/"
patterns = [re.compile(p) for p in sys.argv[3].split()]
rows, layers, layers_files = [], {}, set()
for f in data["data"][0]["files"]:
    name = os.path.normpath(f["filename"])  # the build uses ../lib/...
    if name.startswith(root):
        name = name[len(root):]
    if not name.startswith(("lib/", "tools/")):
        continue
    s = f["summary"]
    lines, branches = s["lines"], s["branches"]
    layer = "/".join(name.split("/")[:2]) if name.startswith("lib/") else "tools"
    layers_files.add(name)
    agg = layers.setdefault(layer, [0, 0, 0, 0])
    agg[0] += lines["covered"]; agg[1] += lines["count"]
    agg[2] += branches["covered"]; agg[3] += branches["count"]
    if any(p.fullmatch(name) for p in patterns):
        rows.append((name, lines["covered"], lines["count"], branches["covered"], branches["count"]))

# Library files that no harness links at all (0 %, not in any mapping).
missing = []
for d, _, files in os.walk(root + "lib"):
    for fn in files:
        if fn.endswith(".cc"):
            rel = os.path.relpath(os.path.join(d, fn), root)
            if rel not in layers_files:
                missing.append(rel)

def pct(a, b):
    return "-" if b == 0 else "%.0f %%" % (100.0 * a / b)

print("| file | lines | line % | branches | branch % |")
print("|---|---|---|---|---|")
for name, lc, ln, bc, bn in sorted(rows):
    print("| `%s` | %d/%d | %s | %d/%d | %s |" % (name, lc, ln, pct(lc, ln), bc, bn, pct(bc, bn)))
for name in sorted(missing):
    if any(p.fullmatch(name) for p in patterns):
        print("| `%s` | not linked by any target | 0 %% | | 0 %% |" % name)
print()
print("| layer | lines | line % | branches | branch % |")
print("|---|---|---|---|---|")
for layer, (lc, ln, bc, bn) in sorted(layers.items()):
    print("| `%s` | %d/%d | %s | %d/%d | %s |" % (layer, lc, ln, pct(lc, ln), bc, bn, pct(bc, bn)))
PY
echo
echo "coverage: $llvm_cov show -instr-profile=$out/all.profdata ${objects[*]:1} lib/FILE.cc"
