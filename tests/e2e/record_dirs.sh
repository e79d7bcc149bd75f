# Directories of records: `report` and `export` take one as `compare` does; a damaged .json file in
# one stops every command that reads it, naming the file (with --skip-bad-records: a warning naming
# it), so that no round vanishes unnoticed; other JSON next to records (summary.json) is named too.
. "$(dirname "$0")/lib.bash"
cd "$WORK"
record() { "$SB" run --workload matmul_cpu --param n=64 --param precision=fp32 --reps 3 --label "$1" --out results 2>/dev/null; }
a1=$(record a)
a2=$(record a)
record b >/dev/null
[ "$a1" != "$a2" ] || fail "two runs wrote one record"

# report DIR: one report per record, next to each, or into the directory --output.
"$SB" report results/a >out || fail "report DIR exited $?"
for r in "$a1" "$a2"; do
  [ -s "${r%.json}.md" ] || fail "report results/a wrote no ${r%.json}.md"
  grep -qx "${r%.json}.md" out || fail "report results/a did not print ${r%.json}.md"
done
"$SB" report results/a --output reports >/dev/null || fail "report DIR --output reports exited $?"
for r in "$a1" "$a2"; do [ -s "reports/$(basename "${r%.json}").md" ] || fail "no reports/$(basename "${r%.json}").md"; done
touch a-file
expect_error 2 "--output a-file is a file, but results/a is a directory" -- "$SB" report results/a --output a-file
expect_error 2 "/dev/null is neither a record file nor a directory" -- "$SB" report /dev/null
expect_error 2 "/dev/null is neither a record file nor a directory" -- "$SB" export /dev/null

# export DIR: the rows of every record, after a first column naming the record file; one record
# keeps its columns.
"$SB" export results/a >all.csv || fail "export DIR exited $?"
[ "$(head -1 all.csv)" = "record,case,metric,unit,repetition,value" ] || fail "export DIR header: $(head -1 all.csv)"
for r in "$a1" "$a2"; do
  "$SB" export "$r" >one.csv || fail "export RECORD exited $?"
  [ "$(head -1 one.csv)" = "case,metric,unit,repetition,value" ] || fail "export RECORD header: $(head -1 one.csv)"
  diff <(tail -n +2 one.csv) <(grep "^$(basename "$r")," all.csv | cut -d, -f2-) >/dev/null ||
    fail "export results/a does not hold the rows of $r"
done
[ "$(wc -l <all.csv)" = $((2 * ($(wc -l <one.csv) - 1) + 1)) ] || fail "export results/a has rows of no record"

# A truncated record (a full disk, a killed copy) inside a directory.
head -c 1500 "$a2" >results/a/zz-truncated.json
for cmd in "compare results/a results/b --out cmp" "doctor results/a results/b" "report results/a" "export results/a"; do
  # shellcheck disable=SC2086
  expect_error 2 "results/a/zz-truncated.json: not valid JSON" -- "$SB" $cmd
  grep -q -- "--skip-bad-records" "$WORK/err" || fail "'$cmd' does not say how to go on without the damaged file"
done
[ -e cmp ] && fail "compare wrote a report although a record was damaged"
"$SB" compare results/a results/b --out cmp --skip-bad-records >/dev/null 2>err || { cat err; fail "compare --skip-bad-records failed"; }
grep -q "warning: skipped results/a/zz-truncated.json: not valid JSON" err || { cat err; fail "the skipped file was not named"; }
"$SB" export results/a --skip-bad-records 2>err | cut -d, -f1 | grep -q "zz-truncated" && fail "export took the damaged file"
grep -q "skipped results/a/zz-truncated.json" err || fail "export --skip-bad-records did not name the skipped file"

# A comparison's summary.json among records is no error, but it is named.
cp cmp/summary.json results/b/
"$SB" compare "$a1" results/b --out cmp2 >/dev/null 2>err || { cat err; fail "compare with a summary.json among the records failed"; }
grep -q "skipped results/b/summary.json: not a run record" err || { cat err; fail "summary.json was not named"; }
echo "ok"
