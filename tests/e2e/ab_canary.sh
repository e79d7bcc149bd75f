# `ab` measures the canary at the start and end of every run (each side of each round), into each
# record's `canary`; --no-canary leaves it out; `run --canary` asks for it in one run.
. "$(dirname "$0")/lib.bash"
cd "$WORK"
ab() { "$SB" ab --env native --env native --label-a a --label-b b --workload syscall --reps 3 --min-reps 2 --rounds 2 "$@"; }

ab --out on > out.txt 2> err.txt || { cat err.txt; fail "ab failed"; }
records=$(ls on/a/*.json on/b/*.json)
[ "$(wc -l <<<"$records")" = 4 ] || fail "ab --rounds 2 left $(wc -l <<<"$records") records, expected 4: $records"
for r in $records; do
  grep -q '"canary": {' "$r" || fail "$r has no canary"
  grep -q '"start": {' "$r" && grep -q '"end": {' "$r" || fail "$r lacks the canary's start or end"
  [ "$(grep -c '"cpu_loop": {' "$r")" = 2 ] || fail "$r does not hold the CPU probe twice (start, end)"
  grep -q '"canary": true' "$r" || fail "$r's settings do not say the canary was on"
done
[ "$(grep -c 'canary (start): cpu_loop' err.txt)" = 4 ] && [ "$(grep -c 'canary (end): cpu_loop' err.txt)" = 4 ] ||
  { cat err.txt; fail "ab did not print a line per canary"; }

ab --out off --no-canary > out.txt 2> err.txt || { cat err.txt; fail "ab --no-canary failed"; }
for r in off/a/*.json off/b/*.json; do
  if grep -q '"canary": {' "$r"; then fail "$r has a canary under --no-canary"; fi
  grep -q '"canary": false' "$r" || fail "$r's settings do not say the canary was off"
done
if grep -q "canary (" err.txt; then cat err.txt; fail "ab --no-canary printed a canary line"; fi

"$SB" run --workload syscall --reps 3 --min-reps 2 --canary --out one > out.txt 2> err.txt || { cat err.txt; fail "run --canary failed"; }
r=$(cat out.txt)
[ "$(grep -c '"cpu_loop": {' "$r")" = 2 ] || fail "run --canary: $r does not hold the canary's start and end"
"$SB" run --workload syscall --reps 3 --min-reps 2 --out plain > out.txt 2> err.txt || { cat err.txt; fail "run failed"; }
if grep -q '"canary": {' "$(cat out.txt)"; then fail "run without --canary recorded a canary"; fi
echo "ok"
