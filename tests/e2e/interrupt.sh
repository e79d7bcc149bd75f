# `run` stopped by a signal: the record on disk is valid JSON with the cases so far, marked
# interrupted, the case it cut marked partial; exit 130 after SIGINT (Ctrl-C), 143 after SIGTERM.
# A second SIGINT aborts at once, and the record still says interrupted.
. "$(dirname "$0")/lib.bash"
. "$(dirname "$0")/interrupt_lib.bash"
cd "$WORK"

# 1. SIGINT after at least one case finished: the finished ones are kept.
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
wait_end "$pid"
cat err.txt
[ "$rc" = 130 ] || fail "exit code $rc after Ctrl-C, expected 130"
f=$(ls results/int/*.json)
grep -q '"interrupted": true' "$f" || fail "record not marked interrupted"
grep -q '"complete": false' "$f" || fail "record marked complete"
kept=$(grep -c '"stop_reason"' "$f")
[ "$kept" -ge 1 ] && [ "$kept" -lt 8 ] || fail "kept $kept cases"
"$SB" export "$f" >/dev/null || fail "the interrupted record does not load"
echo "ok: kept $kept of 8 cases"

# 2. SIGTERM in the middle of a case: exit 143, the case kept and marked partial.
"$SB" run "${ENDLESS[@]}" --label term --out results > term.out 2> term.err &
pid=$!
wait_for term.err '^\[1/1\] matmul_cpu/'
sleep 1  # a few repetitions (the case is cut either way)
kill -TERM "$pid"
wait_end "$pid"
[ "$rc" = 143 ] || { cat term.err; fail "exit code $rc after SIGTERM, expected 143"; }
f=$(ls results/term/*.json)
"$SB" export "$f" >/dev/null || fail "the record does not load after SIGTERM"
grep -q '"interrupted": true' "$f" || fail "record not marked interrupted after SIGTERM"
grep -q '"partial": true' "$f" || fail "the case SIGTERM cut is not marked partial"
echo "ok: SIGTERM, exit 143, the cut case kept as partial"

# 3. Two SIGINTs in a repetition that ignores them (a command that traps them): the second aborts
# at once (the command killed), and the record written after the first says interrupted.
"$SB" run --config stubborn.yaml --workload command:stubborn --warmup 0 --reps 3 --min-reps 3 \
  --label double --out results > double.out 2> double.err &
pid=$!
abort_with_two_sigints "$pid" double.err
f=$(ls results/double/*.json)
"$SB" export "$f" >/dev/null || fail "the record does not load after the abort"
grep -q '"interrupted": true' "$f" || fail "the record is not marked interrupted after the abort"
echo "ok: a second SIGINT aborted the run, the record marked interrupted"
