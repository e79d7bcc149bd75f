# Native vs a real Docker engine (a private dockerd started here): the `quick` suite's CPU cases
# through `ab`, a CPU quota that must show, a user image in bundle mode, and the failures that
# must be clear: a stopped daemon, a missing image, a container that is killed.
. "$(dirname "$0")/lib.bash"
. "$(dirname "$0")/container_lib.bash"
cd "$WORK"
start_dockerd

"$SB" runtimes | grep -E "^docker +usable" || fail "sparkbench runtimes does not list docker as usable"

# 1. ab: both environments, two rounds each, then the report.
"$SB" ab --env native --env docker --suite quick --reps 5 --rounds 2 --out results --report report >ab.out 2>ab.err ||
  { tail -n 30 ab.err; fail "ab native vs docker failed"; }
grep -q "round 2/2, B 'docker'" ab.err || fail "no progress line for round 2 of docker"
assert_native_records results 2
assert_container_records results docker docker 2
[ -s report/report.md ] || fail "no report"
recs=(results/docker/*.json); rec=${recs[0]}
grep -q '"container_mode": "host-mirror"' "$rec" || fail "host-mirror mode not recorded"
grep -q '"gpu_injection": ' "$rec" || fail "GPU injection not recorded"

# 2. A CPU quota is measured and named.
assert_quota_slowdown docker docker-half

# 3. Bundle mode: a user image with nothing but a shell and the C library; the bundle brings the rest.
import_minimal_image sparkbench-e2e/minimal:1
"$SB" run --env docker:sparkbench-e2e/minimal:1 --workload matmul_cpu --param n=128 --param precision=fp32 --reps 3 \
  --out results >bundle.out 2>bundle.err || { tail -n 20 bundle.err; fail "bundle mode in a minimal image failed"; }
brec=$(cat bundle.out)
[ -f "$brec" ] || fail "bundle mode wrote no record"
grep -q '"container_mode": "image"' "$brec" || fail "image mode not recorded"
grep -q '"status": "ok"' "$brec" || fail "the case did not run in the minimal image"

# 4. Failures: each a clear error with a fix, and nothing lost.
natives=(results/native/*.json); keep=${natives[0]}
expect_error 1 "image 'sparkbench-e2e/no-such-image:1' is not in docker's local images" -- \
  "$SB" ab --env native --env docker:sparkbench-e2e/no-such-image:1 --suite quick --out results
grep -q "docker pull" "$WORK/err" || fail "missing image: no pull hint"
expect_error 1 "Docker daemon is not running" -- env DOCKER_HOST="unix://$WORK/dead.sock" \
  "$SB" ab --env native --env docker --suite quick --out results
# Killed part-way: round 1 of native is written, the container dies of its 8 MiB memory limit.
rm -rf killed
expect_error 1 "container was killed" -- "$SB" ab --env native --env docker --workload matmul_cpu --param n=1024 \
  --param precision=fp64 --reps 3 --rounds 2 --memory 8m --out killed
grep -q "records kept" "$WORK/err" || fail "killed: the kept records are not named"
ls killed/native/*.json >/dev/null 2>&1 || fail "killed: the native record of round 1 was lost"
# The host-mirror image itself as a "user image" has no /bin/sh: the container cannot start its command.
tag=$(grep -o -m1 '"image": "sparkbench/host-mirror:[^"]*"' "$rec" | cut -d'"' -f4)
expect_error 1 "docker could not start the command in the container" -- "$SB" run --env "docker:$tag" --workload matmul_cpu \
  --param n=64 --reps 2 --out results
[ -f "$keep" ] || fail "an error destroyed an earlier record"
echo "ok"
