# Ctrl-C keeps the cases that finished: the record on disk is valid JSON with them, exit code 130.
. "$(dirname "$0")/lib.bash"
cd "$WORK"
"$SB" run --workload matmul_cpu --param n=96,128,160,192,224,256,288,320 --param precision=fp64 \
  --min-reps 30 --reps 30 --ci-target 0.0001 --label int --out results > out.txt 2> err.txt &
pid=$!
# Wait until at least one case has finished (the checkpoint holds a stop reason), then interrupt.
for _ in $(seq 1 300); do
  f=$(ls results/int/*.json 2>/dev/null | head -n 1 || true)
  [ -n "$f" ] && grep -q '"stop_reason"' "$f" && break
  sleep 0.1
done
kill -INT "$pid"
rc=0; wait "$pid" || rc=$?
cat err.txt
[ "$rc" = 130 ] || fail "exit code $rc after Ctrl-C, expected 130"
f=$(ls results/int/*.json)
grep -q '"interrupted": true' "$f" || fail "record not marked interrupted"
grep -q '"complete": false' "$f" || fail "record marked complete"
kept=$(grep -c '"stop_reason"' "$f")
[ "$kept" -ge 1 ] && [ "$kept" -lt 8 ] || fail "kept $kept cases"
"$SB" export "$f" >/dev/null || fail "the interrupted record does not load"
echo "ok: kept $kept of 8 cases"
