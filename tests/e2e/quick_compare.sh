# Acceptance: an A/A comparison of the `quick` suite reports no significant difference; a comparison
# of two different sizes reports a significant one; the report files exist.
# The A/A runs are interleaved (`ab`, A B A B ...), as the docs tell users to do. On the shared 2-core
# CI machine whole processes land in different states (0.18 vs 0.29 ms for the same GEMM); compare
# then tests on one median per round (CompareRounds unit tests), and four rounds make an A/A split
# with every A in one state and every B in the other unlikely (2/256). One OpenBLAS thread removes
# the biggest source of such states (where the second thread runs) from this test of the pipeline.
. "$(dirname "$0")/lib.bash"
cd "$WORK"
OPENBLAS_NUM_THREADS=1 "$SB" ab --env native --env native --label-a a --label-b b --rounds 4 --suite quick \
  --out results --report report-aa > aa.txt
a=$(ls results/a/*.json | head -n 1)
[ "$(ls results/a/*.json | wc -l)" = 4 ] && [ "$(ls results/b/*.json | wc -l)" = 4 ] || fail "records not written"
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
