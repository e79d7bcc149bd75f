# Native vs real Podman (storage private to this test; runc where crun refuses the cgroup layout):
# the `quick` suite's CPU cases through `ab`, a CPU quota that must show, and a missing image.
. "$(dirname "$0")/lib.bash"
. "$(dirname "$0")/container_lib.bash"
cd "$WORK"
use_private_podman
"$SB" runtimes | grep -E "^podman +usable" || { "$SB" runtimes; skip "podman is not usable here (above)"; }

"$SB" ab --env native --env podman --suite quick --reps 5 --rounds 2 --out results --report report >ab.out 2>ab.err ||
  { tail -n 30 ab.err; fail "ab native vs podman failed"; }
assert_native_records results 2
assert_container_records results podman podman 2
[ -s report/report.md ] || fail "no report"

assert_quota_slowdown podman podman-half

natives=(results/native/*.json); keep=${natives[0]}
expect_error 1 "image 'localhost/sparkbench-e2e/no-such-image:1' is not in podman's local images" -- \
  "$SB" ab --env native --env podman:localhost/sparkbench-e2e/no-such-image:1 --suite quick --out results
grep -q "podman pull" "$WORK/err" || fail "missing image: no pull hint"
[ -f "$keep" ] || fail "an error destroyed an earlier record"
echo "ok"
