# Acceptance: an A/A comparison of two `quick` runs reports no significant difference; a comparison
# of two different sizes reports a significant one; the report files exist.
. "$(dirname "$0")/lib.bash"
cd "$WORK"
a=$("$SB" run --suite quick --label a --out results)
b=$("$SB" run --suite quick --label b --out results)
[ -f "$a" ] && [ -f "$b" ] || fail "records not written"
"$SB" compare results/a results/b --out report-aa > aa.txt
cat aa.txt
grep -q "no significant difference" report-aa/report.md || fail "A/A comparison claims a difference"
[ -s report-aa/summary.json ] && [ -s report-aa/summary.csv ] || fail "summary files missing"
if grep -Eq "\| (minimal|moderate|significant|critical) \|" report-aa/report.md; then fail "A/A case has a band"; fi

"$SB" run --workload matmul_cpu --param n=128 --param precision=fp32 --label small --out results >/dev/null
"$SB" run --workload matmul_cpu --param n=320 --param precision=fp32 --label large --out results >/dev/null
"$SB" compare results/small results/large --ignore-param n --out report-size > size.txt
cat size.txt
grep -Eq "critical" report-size/report.md || fail "n=128 vs n=320 (16x the work) is not reported as critical"
rc=0; "$SB" compare results/small results/large --ignore-param n --out report-size2 --fail-above 50 >/dev/null || rc=$?
[ "$rc" = 3 ] || fail "--fail-above did not exit 3 (got $rc)"
"$SB" export "$a" --format csv > export.csv
head -n 1 export.csv | grep -q "case,metric,unit,repetition,value" || fail "export header"
echo "ok"
