# Secrets given to a command workload never reach a record, a report, an export or our output:
# planted values in argv (`--api-key X`, a URL's password), in env (HF_TOKEN) and in what the
# program prints, through run (twice), compare, report and export; natively, and where
# runc works also through `run --env oci` (the launch's command line and OCI config carry the
# forwarded environment). The names stay, with <redacted> for the values.
. "$(dirname "$0")/lib.bash"
cd "$WORK"
SECRETS=(sk-live-PLANTED123 hf_PLANTEDabc url-PLANTED-pw trt-PLANTED456)

cat > secrets.yaml <<'EOF'
commands:
  secret_cmd:
    argv: [sh, -c, "echo value 1.5", --api-key, sk-live-PLANTED123]
    env: {HF_TOKEN: hf_PLANTEDabc}
    metrics:
      - {name: value, unit: x, better: higher, regex: "value ([0-9.]+)"}
  secret_echo:
    # Prints both secrets and the URL into its output: the output tail is recorded.
    argv: [sh, -c, 'echo "value 2.5 with $1 and $HF_TOKEN via $2"', --api-key, sk-live-PLANTED123,
           "https://bob:url-PLANTED-pw@example.com/v1"]
    env: {HF_TOKEN: hf_PLANTEDabc}
    metrics:
      - {name: value, unit: x, better: higher, regex: "value ([0-9.]+)"}
  secret_fails:
    # Fails after printing them: the failure message carries the command line and the output tail.
    argv: [sh, -c, 'echo "auth with $1"; echo "token $HF_TOKEN rejected" >&2; exit 3', --token, sk-live-PLANTED123]
    env: {HF_TOKEN: hf_PLANTEDabc}
suites:
  secrets:
    cases:
      - {workload: "command:secret_cmd"}
      - {workload: "command:secret_echo"}
      - {workload: "command:secret_fails"}
EOF

# Everything below writes into $WORK/out (records, reports, exports, captured stdout and stderr).
mkdir out
run_suite() {  # LABEL: one run of the suite; exit 1 because secret_fails fails
  local rc=0
  "$SB" run --config secrets.yaml --suite secrets --reps 2 --out out/results --label "$1" \
    >"out/run-$1.out" 2>"out/run-$1.err" || rc=$?
  [ "$rc" = 1 ] || { cat "out/run-$1.err"; fail "run $1 exited $rc, expected 1 (secret_fails fails)"; }
}
run_suite a
run_suite b
rec_a=$(cat out/run-a.out)
rec_b=$(cat out/run-b.out)
"$SB" compare out/results/a out/results/b --out out/report >out/compare.out 2>out/compare.err ||
  { cat out/compare.err; fail "compare failed"; }
"$SB" export "$rec_a" >out/export.csv 2>out/export.err || fail "export failed"
"$SB" report "$rec_b" --output out/run-report.md >out/report.out 2>out/report.err || fail "report failed"

# What must be there: the run happened, the names stayed, the values are marked redacted.
grep -q "1.5" out/export.csv || { cat out/export.csv; fail "secret_cmd's metric was not measured"; }
for rec in "$rec_a" "$rec_b"; do
  grep -q '"--api-key"' "$rec" || fail "$rec: the option name --api-key is gone"
  grep -q '"HF_TOKEN": "<redacted>"' "$rec" || fail "$rec: HF_TOKEN is not recorded as <redacted>"
  grep -q 'value 2.5 with <redacted> and <redacted> via https://bob:<redacted>@example.com/v1' "$rec" ||
    fail "$rec: secret_echo's output tail is not recorded with the secrets masked"
  grep -q "command 'secret_fails' exited with code 3" "$rec" || fail "$rec: secret_fails's failure is not recorded"
  grep -q 'token <redacted> rejected' "$rec" || fail "$rec: secret_fails's output tail is not recorded, masked"
done
grep -q "report.md" out/compare.out || { cat out/compare.out; fail "compare wrote no report"; }

# What must not: any planted value, in any file written or anything printed.
for s in "${SECRETS[@]}"; do
  if grep -rlF -- "$s" out; then fail "the secret $s was written or printed (files above)"; fi
done

# Through a container launcher: the forwarded environment (TRTLLM_* in host-mirror mode) is in
# the printed command line or the OCI config.json, which the record keeps as launch.oci_config.
"$SB" runtimes >runtimes.txt 2>&1 || true
if [ "$(id -u)" = 0 ] && grep -Eq "^oci +usable" runtimes.txt; then
  mkdir oci
  rc=0
  TRTLLM_API_KEY=trt-PLANTED456 "$SB" run --env oci --config secrets.yaml --workload command:secret_cmd --reps 2 \
    --out oci/results >oci/run.out 2>oci/run.err || rc=$?
  [ "$rc" = 0 ] || [ "$rc" = 1 ] || { cat oci/run.err; fail "run --env oci exited $rc"; }
  rec=$(tail -n 1 oci/run.out)
  grep -q '"oci_config": {' "$rec" || fail "the OCI config is not recorded"
  grep -q '"TRTLLM_API_KEY=<redacted>"' "$rec" || fail "the forwarded TRTLLM_API_KEY is not recorded as <redacted>"
  for s in "${SECRETS[@]}"; do
    if grep -rlF -- "$s" oci; then fail "the secret $s was written or printed through --env oci (files above)"; fi
  done
else
  echo "note: no usable oci runtime as root here; the container part was not run"
fi
echo "ok"
