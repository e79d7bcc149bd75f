#!/usr/bin/env bash
# Does this tree measure what an earlier tree measured? For a redesign that must not change any
# number (issue "One measurement harness"): builds this tree and an earlier one (a `git archive`
# tarball), runs each suite with both binaries in alternation (before, after, after, before, ...:
# machine drift and order effects land on both sides), and compares with `sparkbench compare --min-effect 1` (each
# side's rounds pooled; "equivalent" = the 90 % CI of the difference inside ±1 %), plus a table of
# every case's median per round.
#
#   git archive <commit> | xz > .carry/before-src.tar.xz
#   tools/before_after.sh .carry/before-src.tar.xz ROUNDS SUITE...     # logs and reports in $OUT
# With BEFORE_AFTER_SKIP_BUILD=1 the binaries of a previous call (same machine) are reused;
# BEFORE_BIN / AFTER_BIN name other binaries.
set -uo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 3 ] || { echo "usage: $0 BEFORE_SRC_TARBALL ROUNDS SUITE..." >&2; exit 2; }
tarball=$1 rounds=$2
shift 2
out=${OUT:-$PWD/before-after-out}
mkdir -p "$out"
log() { echo "== $(date -u +%H:%M:%S) $*" | tee -a "$out/summary.txt"; }
build() {  # build DIR TARGET...
  local dir=$1
  shift
  (cd "$dir" && cmake --preset release -DCMAKE_CUDA_ARCHITECTURES=90 && cmake --build build-release -j "$(nproc)" --target "$@")
}
before=/tmp/before-src
if [ "${BEFORE_AFTER_SKIP_BUILD:-0}" != 1 ]; then
  rm -rf "$before" && mkdir -p "$before" && tar xJf "$tarball" -C "$before"
  log "build after (this tree) and before ($tarball)"
  build . sparkbench sparkbench_gpu_tests > "$out/build-after.log" 2>&1 || { tail -40 "$out/build-after.log"; exit 1; }
  build "$before" sparkbench > "$out/build-before.log" 2>&1 || { tail -40 "$out/build-before.log"; exit 1; }
fi
declare -A bin=([before]="${BEFORE_BIN:-$before/build-release/sparkbench}" [after]="${AFTER_BIN:-$PWD/build-release/sparkbench}")
for suite in "$@"; do
  for r in $(seq "$rounds"); do
    order="before after"
    [ $((r % 2)) -eq 0 ] && order="after before"  # alternate who goes first: no order effect on one side
    for side in $order; do
      log "$suite round $r: $side"
      "${bin[$side]}" run --suite "$suite" --label "$side" --out "$out/$suite" 2>> "$out/$suite-runs.log" > /dev/null
    done
  done
  "${bin[after]}" compare "$out/$suite/before" "$out/$suite/after" --min-effect 1 -o "$out/$suite/compare" \
    > /dev/null 2>> "$out/$suite-runs.log"
  python3 - "$out/$suite" <<'PY' | tee -a "$out/summary.txt"
import glob, json, statistics, sys
rows = {}
for side in ("before", "after"):
    for f in sorted(glob.glob(f"{sys.argv[1]}/{side}/*.json")):
        for c in json.load(open(f))["cases"]:
            if c["status"] == "ok":
                m = c["metrics"][0]
                rows.setdefault((c["id"], m["name"]), {}).setdefault(side, []).append(statistics.median(m["samples"]))
print(f"| case | metric | before (median per round) | after | after/before |\n|---|---|---|---|--:|")
for (case, metric), v in rows.items():
    b, a = v.get("before", []), v.get("after", [])
    ratio = f"{statistics.median(a) / statistics.median(b):.4f}" if a and b else "n/a"
    print(f"| {case} | {metric} | {' '.join(f'{x:.4g}' for x in b)} | {' '.join(f'{x:.4g}' for x in a)} | {ratio} |")
PY
  grep -E "^\| |verdict|Verdict" "$out/$suite/compare/report.md" | head -40 > "$out/$suite-compare.txt"
  head -12 "$out/$suite-compare.txt" | tee -a "$out/summary.txt"
done
