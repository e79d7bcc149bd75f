# `ab --drop-caches` without the right to write /proc/sys/vm/drop_caches: exit 2 before any round,
# saying it needs root and what to do. Run as root (as here), the binary runs as nobody instead:
# root would really drop the machine's page cache (tests/drop_caches_test.cpp covers that path with
# a stand-in file).
. "$(dirname "$0")/lib.bash"
cd "$WORK"
as_user=()
if [ "$(id -u)" = 0 ]; then
  command -v setpriv >/dev/null || { echo "SKIP: root, and no setpriv to run as another user"; exit 77; }
  as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
  chmod 0777 "$WORK"
fi
expect_error 2 "drop-caches cannot write /proc/sys/vm/drop_caches: .*needs root" -- \
  "${as_user[@]}" "$SB" ab --env native --env native --label-a a --label-b b --workload syscall --reps 3 --min-reps 2 \
  --rounds 1 --drop-caches --out results
grep -q "leave out --drop-caches" "$WORK/err" || { cat "$WORK/err"; fail "the error does not name the fix"; }
if grep -q "round 1" "$WORK/err"; then cat "$WORK/err"; fail "a round started"; fi
if [ -n "$(find results -name '*.json' 2>/dev/null)" ]; then fail "ab --drop-caches wrote records before refusing"; fi
echo "ok"
