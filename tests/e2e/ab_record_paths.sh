# Every record path that `ab` and `run` print exists afterwards: the inner runs (in a temporary
# directory or a container) do not name the records they write there; the session names each
# record where it put it.
. "$(dirname "$0")/lib.bash"
cd "$WORK"
record_paths() { grep -hEo "[^ '\"]*[0-9]{8}T[0-9]{6}Z_[^ /'\"]+\.json" "$@" | sort -u || true; }

"$SB" ab --env native --env native --label-a a --label-b b --workload matmul_cpu --param n=64 \
  --param precision=fp32 --reps 3 --rounds 1 --out results > out.txt 2> err.txt || { cat err.txt; fail "ab failed"; }
paths=$(record_paths out.txt err.txt)
[ "$(wc -l <<<"$paths")" -ge 2 ] || { cat out.txt err.txt; fail "ab did not name both records"; }
for p in $paths; do
  [ -f "$p" ] || { cat err.txt; fail "ab printed $p, which does not exist"; }
done
grep -q "record: results/a/" err.txt && grep -q "record: results/b/" err.txt ||
  { cat err.txt; fail "the session did not name the records it moved"; }

"$SB" run --workload matmul_cpu --param n=64 --param precision=fp32 --reps 3 --label c --out results > out.txt 2> err.txt
paths=$(record_paths out.txt err.txt)
[ -n "$paths" ] || { cat out.txt err.txt; fail "run did not name its record"; }
for p in $paths; do [ -f "$p" ] || fail "run printed $p, which does not exist"; done
echo "ok"
