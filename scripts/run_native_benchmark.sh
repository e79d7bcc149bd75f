#!/usr/bin/env bash
# Runs a suite natively and writes the record plus a one-run report.
#
#   scripts/run_native_benchmark.sh            # suite `sanity`, label `native`
#   scripts/run_native_benchmark.sh quick      # another suite (see `sparkbench list --suites`)
#
# Any further arguments go to `sparkbench run` (e.g. --reps 10 --out /data/results).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/sparkbench_bin.sh
suite="${1:-sanity}"
[ $# -gt 0 ] && shift
record=$("$SPARKBENCH" run --suite "$suite" --label native "$@")
"$SPARKBENCH" report "$record"
