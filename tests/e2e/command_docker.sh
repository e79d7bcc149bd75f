# The `command` workload in Docker (a private dockerd; skips where none can run): the same commands
# natively and in a host-mirror container through `ab` give the same metrics; in bundle mode the
# program must exist in the image (a minimal image with only /bin/sh runs `sh -c` commands, and
# a command whose tool it lacks fails with that reason while the other case is kept).
. "$(dirname "$0")/lib.bash"
. "$(dirname "$0")/container_lib.bash"
cd "$WORK"
start_dockerd

# Commands without files: host-mirror mounts neither $WORK nor the config's directory, so the
# default working directory (the config's) falls back to the one sparkbench runs in.
cat > cmd.yaml <<'EOF'
commands:
  e2e_shell:
    argv: [sh, -c, "i=0; while [ $i -lt $(({n} * 2000)) ]; do i=$((i + 1)); done; echo items processed: $(({n} * 10)); echo '{{\"score\": {n}.5}}'"]
    params: {n: {type: int, default: [1]}}
    metrics:
      - {name: items, unit: items, better: higher, regex: "items processed: ([0-9]+)"}
      - {name: score, unit: points, better: higher, json_pointer: /score}
  e2e_seq:
    argv: [seq, "3"]
    metrics: [{name: last, unit: "1", better: higher, regex: "^([0-9]+)$"}]
suites:
  grid:
    cases:
      - {workload: "command:e2e_shell", params: {n: [1, 2]}}
  image:
    cases:
      - {workload: "command:e2e_shell", params: {n: 3}}
      - {workload: "command:e2e_seq"}
EOF

# 1. Native vs host-mirror docker: the command ran in both, with the same values.
"$SB" ab --env native --env docker --config cmd.yaml --suite grid --reps 3 --rounds 1 --out results --report report \
  >ab.out 2>ab.err || { tail -n 30 ab.err; fail "ab native vs docker of the command suite failed"; }
assert_native_records results 1
assert_container_records results docker docker 1
for side in native docker; do
  recs=(results/$side/*.json)
  "$SB" export "${recs[0]}" > "$side.csv"
  for n in 1 2; do
    grep -qx "command:e2e_shell/n=$n,items,items,3,$((n * 10))" "$side.csv" || { cat "$side.csv"; fail "$side: items of n=$n"; }
    grep -qx "command:e2e_shell/n=$n,score,points,3,$n.5" "$side.csv" || { cat "$side.csv"; fail "$side: score of n=$n"; }
  done
done
drec=(results/docker/*.json)
grep -q '"cwd": "/sparkbench-io"' "${drec[0]}" || fail "in the container the command did not run in the container's directory"
grep -q "command:e2e_shell/n=2" report/report.md || fail "the report lacks the command's cases"

# 2. Bundle mode in an image with nothing but /bin/sh and the C library: sh -c runs, seq is absent.
import_minimal_image sparkbench-e2e/command-minimal:1
rc=0
brec=$("$SB" run --env docker:sparkbench-e2e/command-minimal:1 --config cmd.yaml --suite image --reps 2 --out results \
  2>bundle.err) || rc=$?
[ "$rc" = 1 ] || { tail -n 20 bundle.err; fail "bundle mode: expected exit 1 (one failed case), got $rc"; }
[ -f "$brec" ] || fail "bundle mode wrote no record"
"$SB" export "$brec" | grep -qx "command:e2e_shell/n=3,items,items,2,30" || fail "bundle mode: sh -c did not run in the image"
grep -q "'seq' was not found on PATH" "$brec" || fail "bundle mode: a tool missing from the image is not named"
grep -q "must exist in the image" "$brec" || fail "bundle mode: the fix does not say the tool must be in the image"
echo "ok"
