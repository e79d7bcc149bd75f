# The `command` workload natively: a script run once per repetition over a grid of its parameter,
# metrics by regex and by JSON pointer plus the process's wall time; then the failures, each a
# clear message in the record while the other cases are kept: non-zero exit (with the output's
# tail), program not found, metric not found; and a bad definition rejected with file and line.
. "$(dirname "$0")/lib.bash"
cd "$WORK"

cat > work.sh <<'EOF'
#!/bin/sh
# Busy for a moment (n * 2000 loop turns), then: a log line on stderr, a text line, a JSON line.
n=$1
echo "starting with n=$n" >&2
i=0
while [ "$i" -lt $((n * 2000)) ]; do i=$((i + 1)); done
echo "items processed: $((n * 10))"
printf '{"n": %d, "score": %d.5}\n' "$n" "$((n * 3))"
EOF
chmod +x work.sh
cat > cmd.yaml <<'EOF'
commands:
  e2e_work:
    argv: [./work.sh, "{n}"]
    params: {n: {type: int, default: [1]}}
    metrics:
      - {name: items, unit: items, better: higher, regex: "items processed: ([0-9]+)"}
      - {name: score, unit: points, better: higher, json_pointer: /score}
  e2e_fails:
    argv: [sh, -c, "echo half-done; echo 'model file missing' >&2; exit 4"]
  e2e_missing:
    argv: [sparkbench-no-such-tool, --version]
  e2e_nometric:
    argv: [echo, "throughput 12 tok/s"]
    metrics: [{name: tflops, unit: TFLOP/s, better: higher, regex: "TFLOPS: ([0-9.]+)"}]
suites:
  grid:
    cases:
      - {workload: "command:e2e_work", params: {n: [1, 2, 3]}}
  mixed:
    cases:
      - {workload: "command:e2e_fails"}
      - {workload: "command:e2e_work", params: {n: 2}}
      - {workload: "command:e2e_missing"}
      - {workload: "command:e2e_nometric"}
EOF

# 1. The grid: three cases, three repetitions each, every metric read from the script's output.
rec=$("$SB" run --config cmd.yaml --suite grid --reps 3 --min-reps 3 --warmup 1 --out results 2>grid.err) ||
  { cat grid.err; fail "the grid of command:e2e_work failed"; }
"$SB" export "$rec" > grid.csv
for n in 1 2 3; do
  for rep in 1 2 3; do
    grep -qx "command:e2e_work/n=$n,items,items,$rep,$((n * 10))" grid.csv || { cat grid.csv; fail "items of n=$n rep $rep"; }
    grep -qx "command:e2e_work/n=$n,score,points,$rep,$((n * 3)).5" grid.csv || { cat grid.csv; fail "score of n=$n rep $rep"; }
  done
  grep -Eq "^command:e2e_work/n=$n,wall_ms,ms,3,[0-9.]+$" grid.csv || { cat grid.csv; fail "no wall_ms for n=$n"; }
done
grep -q '"command_line": "./work.sh 3"' "$rec" || fail "the record lacks the command line that ran"
grep -q '"definition": {' "$rec" || fail "the record's plan lacks the command's definition"

# 2. One workload from the same config with --workload and a --param grid.
rec=$("$SB" run --config cmd.yaml --workload command:e2e_work --param n=4,5 --reps 2 --out results 2>one.err) ||
  { cat one.err; fail "--workload command:e2e_work failed"; }
"$SB" export "$rec" | grep -qx "command:e2e_work/n=5,items,items,2,50" || fail "--param n=5 did not reach the script"

# 3. Failures are recorded with their reasons, and the case between them is kept.
rc=0
rec=$("$SB" run --config cmd.yaml --suite mixed --reps 2 --out results 2>mixed.err) || rc=$?
[ "$rc" = 1 ] || { cat mixed.err; fail "a run with failed cases exited $rc, expected 1"; }
grep -q "1 ok, 0 unavailable, 3 failed" mixed.err || { cat mixed.err; fail "not 1 ok and 3 failed"; }
"$SB" export "$rec" | grep -qx "command:e2e_work/n=2,items,items,2,20" || fail "the good case was not kept"
grep -q "command 'e2e_fails' exited with code 4" "$rec" || fail "non-zero exit not recorded"
grep -q "model file missing" "$rec" || fail "the output tail of the failed command is not in the record"
grep -q "'sparkbench-no-such-tool' was not found on PATH" "$rec" || fail "command not found not recorded"
grep -q "metric 'tflops' not found in its stdout: no line matches the regex" "$rec" || fail "missing metric not recorded"
grep -q "throughput 12 tok/s" "$rec" || fail "the output of the command whose metric is missing is not shown"

# 4. A bad definition is a usage error naming the file, the line and the command.
printf 'commands:\n  broken:\n    argv: [echo, "{nope}"]\n' > bad.yaml
expect_error 2 "bad.yaml:2:3: command 'broken': argv\[1\] uses '\{nope\}', which is not a parameter" -- \
  "$SB" run --config bad.yaml --workload command:broken
echo "ok"
