# `ab` stopped by a signal sent to its pid alone (kill, timeout, CI cancellation; not a terminal's
# Ctrl-C, which reaches the whole process group): the run in progress, a child process, is passed
# the signal and stops after its current repetition, keeping the case it cut, marked partial; ab
# starts no further run, keeps the records, exits 130 (SIGINT) or 143 (SIGTERM) and leaves no
# process behind. A second SIGINT aborts at once, the record kept and marked interrupted.
. "$(dirname "$0")/lib.bash"
. "$(dirname "$0")/interrupt_lib.bash"
cd "$WORK"

for sig in INT TERM; do
  out="$WORK/results-$sig"
  "$SB" ab --env native --env native --label-a a --label-b b "${ENDLESS[@]}" --rounds 5 --out "$out" \
    >"$sig.out" 2>"$sig.err" &
  pid=$!
  wait_for "$sig.err" '^\[1/1\] matmul_cpu/'  # A's run of round 1 is measuring
  sleep 1                                      # a few repetitions (the case is cut either way)
  kill -"$sig" "$pid"
  wait_end "$pid"
  want=$([ "$sig" = INT ] && echo 130 || echo 143)
  [ "$rc" = "$want" ] || { cat "$sig.err"; fail "ab exited $rc after SIG$sig, expected $want"; }
  assert_none_left
  ! grep -Eq "round 1/5, B|round 2/5" "$sig.err" || { cat "$sig.err"; fail "a further run started after SIG$sig"; }
  [ -z "$(ls "$out/b")" ] || fail "B has a record after SIG$sig"
  records=("$out"/a/*.json)
  [ "${#records[@]}" = 1 ] || fail "A has ${#records[@]} records after SIG$sig, expected 1"
  rec=${records[0]}
  "$SB" export "$rec" >/dev/null || fail "the record kept after SIG$sig does not load"
  grep -q '"interrupted": true' "$rec" || fail "the record is not marked interrupted after SIG$sig"
  grep -q '"complete": false' "$rec" || fail "the record is marked complete after SIG$sig"
  grep -q '"stop_reason": "interrupted"' "$rec" || fail "the case was not cut by SIG$sig"
  grep -q '"partial": true' "$rec" || fail "the case cut by SIG$sig is not marked partial"
  grep -q "records kept" "$sig.err" || fail "ab did not list the records kept after SIG$sig"
  echo "ok: SIG$sig stopped ab's run in progress, exit $rc"
done

# Two SIGINTs while A's run is inside a repetition that ignores them: the second aborts the run
# (its command killed) and ab, with the run's record kept and marked interrupted.
out="$WORK/results-double"
"$SB" ab --env native --env native --label-a a --label-b b --config stubborn.yaml --workload command:stubborn \
  --warmup 0 --reps 3 --min-reps 3 --rounds 5 --out "$out" >double.out 2>double.err &
pid=$!
abort_with_two_sigints "$pid" double.err
rec=$(ls "$out"/a/*.json)
"$SB" export "$rec" >/dev/null || fail "the record kept after the abort does not load"
grep -q '"interrupted": true' "$rec" || fail "the record kept after the abort is not marked interrupted"
echo "ok: a second SIGINT aborted ab, the record kept and marked interrupted"
