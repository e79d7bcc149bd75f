# Misleading messages, fixed: each names the real cause, with a fix, before any work starts.
. "$(dirname "$0")/lib.bash"
cd "$WORK"

# A directory given as the config.
mkdir confdir
expect_error 2 "config confdir is a directory; a config file \(YAML\) is expected" -- "$SB" run --config confdir --suite quick

# A tab in YAML indentation: named, with its line and column.
printf 'suites:\n  s:\n\tcases:\n      - {workload: matmul_cpu}\n' > tab.yaml
expect_error 2 "a tab character at tab.yaml:3:1: YAML indents with spaces" -- "$SB" run --config tab.yaml --suite s
grep -q "fix: replace the tab with spaces" "$WORK/err" || fail "the tab error does not say to replace it"

# A label longer than a file name may be: its length and the limit, not "cannot be written".
long=$(printf 'a%.0s' $(seq 300))
expect_error 2 "label 'a+\.\.\.' is too long: 300 bytes, a directory name holds at most 255" -- \
  "$SB" run --workload matmul_cpu --param n=64 --param precision=fp32 --reps 3 --label "$long" --out results
grep -q "case" "$WORK/err" && fail "a case ran although the label was too long"
[ ! -e results ] || fail "a results directory was created for a label that cannot be one"
expect_error 2 "is too long: 300 bytes" -- "$SB" ab --env native --env native --label-a "$long" --label-b b \
  --workload matmul_cpu --param n=64 --out results

# No case in common: the hint names options that exist.
"$SB" run --workload matmul_cpu --param n=64 --param precision=fp32 --reps 3 --label one --out results >/dev/null 2>&1
"$SB" run --workload matmul_cpu --param n=96 --param precision=fp64 --reps 3 --label two --out results >/dev/null 2>&1
expect_error 2 "no case in common" -- "$SB" compare results/one results/two
grep -q -- "--set" "$WORK/err" && { cat "$WORK/err"; fail "the hint names --set, which does not exist"; }
grep -q -- "fix:.*--ignore-param NAME" "$WORK/err" || { cat "$WORK/err"; fail "the hint does not name --ignore-param"; }

# No NVIDIA driver at all (libcuda.so.1 cannot be loaded) is not an "insufficient driver".
libcuda_here() {
  ldconfig -p 2>/dev/null | grep -q 'libcuda\.so\.1 ' && return 0
  local d
  for d in ${LD_LIBRARY_PATH:+${LD_LIBRARY_PATH//:/ }}; do [ -e "$d/libcuda.so.1" ] && return 0; done
  return 1
}
if "$SB" env | grep -q "runtime_version" && ! libcuda_here; then
  "$SB" env > env.txt
  grep -q "no NVIDIA driver found (libcuda.so.1 could not" env.txt || { cat env.txt; fail "env does not say that no driver was found"; }
  grep -qi "insufficient" env.txt && { cat env.txt; fail "env calls a missing driver insufficient"; }
  expect_error 2 "no GPU can be used here: no NVIDIA driver found \(libcuda.so.1 could not be loaded\)" -- \
    "$SB" run --workload matmul --param n=64
else
  echo "skipped the no-driver check: this build has no CUDA, or libcuda.so.1 is installed"
fi

# The one-run report: settings as names, values and units; a killed run is "not finished".
rec=$(ls results/one/*.json)
"$SB" report "$rec" -o one.md >/dev/null
grep -q -- "- settings: ci target 1%, min reps 3, max reps 3, max time 60 s, warm-up 2" one.md ||
  { cat one.md; fail "the settings line is not readable"; }
grep -q '{"' one.md && { cat one.md; fail "the report shows raw JSON"; }
grep -q "matmul_cpu/n=64,precision=fp32" one.md || { cat one.md; fail "the case name keeps its default parameters"; }
sed -e 's/"finished_utc": "[^"]*"/"finished_utc": ""/' -e 's/"complete": true/"complete": false/' "$rec" > killed.json
"$SB" report killed.json -o killed.md >/dev/null
grep -q "not finished (the process ended before the run completed)" killed.md ||
  { cat killed.md; fail "a killed run's report does not say that it did not finish"; }
echo "ok"
