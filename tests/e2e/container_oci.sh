# Native vs crun/runc driven directly (the oci launcher: a generated bundle, host-mirror rootfs):
# the `quick` suite's CPU cases through `ab`, and a CPU quota that must show. Needs root.
. "$(dirname "$0")/lib.bash"
. "$(dirname "$0")/container_lib.bash"
cd "$WORK"
[ "$(id -u)" = 0 ] || skip "the oci launcher needs root"
"$SB" runtimes | grep -E "^oci +usable" || { "$SB" runtimes; skip "no usable crun or runc here (above)"; }

"$SB" ab --env native --env oci --suite quick --reps 5 --rounds 2 --out results --report report >ab.out 2>ab.err ||
  { tail -n 30 ab.err; fail "ab native vs oci failed"; }
assert_native_records results 2
for rec in results/oci/*.json; do
  grep -q '"runtime": "oci"' <<<"$(json_object "$rec" container 2)" || fail "$rec: container runtime is not oci"
  grep -q '"oci_config": {' <<<"$(json_object "$rec" launch 1)" || fail "$rec: the OCI config is not recorded"
done
[ "$(ls results/oci/*.json | wc -l)" = 2 ] || fail "expected 2 oci records"
assert_quota_slowdown oci oci-half
echo "ok"
