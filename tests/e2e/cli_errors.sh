# A bad command line exits 2 (not CLI11's own 100+ codes) with an error that names the word it did
# not understand, the nearest known one where there is one, and a fix; --help and --version exit 0.
. "$(dirname "$0")/lib.bash"
cd "$WORK"
expect_error 2 "no subcommand given" -- "$SB"
expect_error 2 "unknown subcommand 'bogus'" -- "$SB" bogus
grep -q "did you mean" "$WORK/err" && fail "'bogus' is near no subcommand, yet one was suggested"
expect_error 2 "unknown subcommand 'lst'" -- "$SB" lst
grep -q "did you mean 'list'" "$WORK/err" || fail "'lst' did not suggest 'list'"
expect_error 2 "unknown option '--rep' for .sparkbench run." -- "$SB" run --rep 3
grep -q "did you mean '--reps'" "$WORK/err" || fail "'--rep' did not suggest '--reps'"
expect_error 2 "unknown option '--no-such-option' for .sparkbench list." -- "$SB" list --no-such-option
expect_error 2 "unknown option '--suite' before the subcommand" -- "$SB" --suite quick
expect_error 2 "record is required" -- "$SB" report
expect_error 2 "candidate is required" -- "$SB" compare results/native
expect_error 2 "--reps takes a whole number, not 'many'" -- "$SB" run --workload matmul_cpu --reps many
expect_error 2 "unexpected argument 'two.json' for .sparkbench report." -- "$SB" report one.json two.json

# Values that parse but make no sense.
expect_error 2 "--label was given an empty name" -- "$SB" run --workload matmul_cpu --param n=64 --label ''
[ -d results ] && fail "run with --label '' wrote results (it used to become 'native')"
expect_error 2 "--label-b was given an empty name" -- "$SB" ab --env native --env native --label-a a --label-b ''
expect_error 2 "--fail-above: must be a percentage of 0 or more" -- "$SB" compare a b --fail-above -5
expect_error 2 "--fail-above: must be a percentage of 0 or more" -- "$SB" ab --env native --env docker --fail-above -5

"$SB" --help >/dev/null || fail "--help exited $?"
"$SB" run --help >/dev/null || fail "run --help exited $?"
"$SB" --version | grep -q "^sparkbench " || fail "--version did not print the version"
echo "ok"
