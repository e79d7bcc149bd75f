# Container failures that need no working runtime: a runtime missing from PATH (each says how to
# install it), a bad --env, options a runtime cannot apply. Earlier results survive every error.
. "$(dirname "$0")/lib.bash"
. "$(dirname "$0")/container_lib.bash"
cd "$WORK"
keep=$("$SB" run --workload matmul_cpu --param n=64 --param precision=fp32 --reps 2 --out results)

mkdir empty-path
expect_error 1 "docker is not installed" -- env PATH="$WORK/empty-path" "$SB" ab --env native --env docker --suite quick --out results
grep -q "apt-get install docker.io" "$WORK/err" || fail "no install command for docker"
expect_error 1 "podman is not installed" -- env PATH="$WORK/empty-path" "$SB" run --env podman --suite quick --out results
grep -q "apt-get install podman" "$WORK/err" || fail "no install command for podman"
expect_error 1 "no OCI runtime" -- env PATH="$WORK/empty-path" "$SB" run --env oci:crun --suite quick --out results
grep -q "apt-get install crun" "$WORK/err" || fail "no install command for crun"
expect_error 1 "apptainer is not installed" -- env PATH="$WORK/empty-path" "$SB" run --env apptainer --suite quick --out results

expect_error 2 "unknown environment 'dockr'" -- "$SB" run --env dockr --suite quick
expect_error 2 "ab needs exactly two --env" -- "$SB" ab --env native --suite quick
expect_error 2 "both environments would be labelled 'native'" -- "$SB" ab --env native --env native --suite quick
expect_error 2 "unknown limit 'files'" -- "$SB" run --env docker --ulimit files=1 --suite quick
if command -v apptainer >/dev/null || command -v singularity >/dev/null; then
  expect_error 2 "apptainer cannot apply --shm-size" -- "$SB" run --env apptainer --shm-size 1g --suite quick
fi

"$SB" runtimes >runtimes.txt || fail "sparkbench runtimes failed"
for r in docker podman apptainer oci; do grep -Eq "^$r +(usable|NOT USABLE)" runtimes.txt || fail "runtimes does not list $r"; done
[ -f "$keep" ] || fail "an error destroyed an earlier record"
echo "ok"
