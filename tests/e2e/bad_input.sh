# Bad input gets a one-paragraph error with a fix, a non-zero exit, and loses nothing.
. "$(dirname "$0")/lib.bash"
cd "$WORK"
expect_error 2 "unknown workload 'nope'.*" -- "$SB" run --workload nope
expect_error 2 "no parameter 'bogus'" -- "$SB" run --workload matmul_cpu --param bogus=1
expect_error 2 "not a valid value" -- "$SB" run --workload matmul_cpu --param precision=fp8
expect_error 2 "no suite 'nosuch'" -- "$SB" run --suite nosuch
printf 'suites:\n  s:\n    cases: [\n' > broken.yaml
expect_error 2 "broken.yaml:[0-9]+:[0-9]+: malformed YAML" -- "$SB" run --config broken.yaml --suite s

# A value out of its parameter's range is refused when the plan is made: exit 2, the range in
# the message, and no record (not even one of failed cases) in --out, which stays empty.
mkdir ranges
for n in -5 0; do
  expect_error 2 "workload 'matmul_cpu': parameter 'n' must be at least 1, got $n" -- \
    "$SB" run --workload matmul_cpu --param n=$n --out ranges --label bad
  grep -q "valid values of n: 1 to 2147483647" "$WORK/err" || { cat "$WORK/err"; fail "n=$n: the fix does not give the range"; }
  [ -z "$(ls -A ranges)" ] || fail "n=$n wrote into the output directory: $(find ranges)"
done
expect_error 2 "parameter 'n' must be at most 2147483647" -- "$SB" run --workload matmul_cpu --param n=2147483648 --out ranges
expect_error 2 "'0' is not a valid value of parameter 'threads'" -- "$SB" run --workload cpu_scaling --param threads=0 --out ranges
# The same in a suite case, with the config file's position.
printf 'suites:\n  s:\n    cases:\n      - {workload: page_faults, params: {size_mib: [16, 0]}}\n' > range.yaml
expect_error 2 "range.yaml:4:42: workload 'page_faults': parameter 'size_mib' must be at least 1, got 0" -- \
  "$SB" run --config range.yaml --suite s --out ranges
[ -z "$(ls -A ranges)" ] || fail "an out-of-range suite case wrote into the output directory: $(find ranges)"
"$SB" list matmul_cpu | grep -Eq "^ +n +int +default [0-9]+ +\(1 to 2147483647\)" || fail "list does not show n's range"

# An unwritable output directory is detected before any work starts.
touch not-a-dir
expect_error 2 "cannot be written" -- "$SB" run --workload matmul_cpu --param n=64 --out not-a-dir/sub
grep -q "case" "$WORK/err" && fail "a case ran although the output directory was unwritable"

# A record of a newer schema, and records with no common case.
rec=$("$SB" run --workload matmul_cpu --param n=64 --param precision=fp32 --reps 3 --label one --out results)
sed 's/"schema_version": 1/"schema_version": 99/' "$rec" > future.json
expect_error 2 "newer" -- "$SB" compare "$rec" future.json
"$SB" run --workload matmul_cpu --param n=96 --param precision=fp64 --reps 3 --label two --out results >/dev/null
expect_error 2 "no case in common" -- "$SB" compare results/one results/two
[ -f "$rec" ] || fail "an error destroyed an earlier record"

# A plan file of another version (another sparkbench wrote it) is refused, not guessed at.
printf '{"schema": "sparkbench.plan", "schema_version": 2, "plan": [], "settings": {}, "source": {}}\n' > plan2.json
expect_error 2 "the plan file plan2.json is of version 2; this sparkbench .* reads version 1" -- \
  "$SB" run --plan-file plan2.json --out ranges
grep -q "same sparkbench binary" "$WORK/err" || { cat "$WORK/err"; fail "the plan file's fix does not name the binary"; }

# A GPU workload where no GPU is present.
if "$SB" env | grep -qi "gpu.*available.*false\|no gpu\|without CUDA"; then
  expect_error 2 "no GPU can be used here" -- "$SB" run --workload matmul --param n=256
fi
echo "ok"
