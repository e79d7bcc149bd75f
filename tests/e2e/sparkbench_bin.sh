#!/usr/bin/env bash
# scripts/sparkbench_bin.sh picks the newest built binary, not the first build directory it finds:
# an old build-release/ next to a fresh build-ci/ must not run stale code.
source "$(dirname "$0")/lib.bash"
mkdir -p "$WORK/tree/build-release" "$WORK/tree/build-ci"
for d in build-release build-ci; do printf '#!/bin/sh\necho %s\n' "$d" > "$WORK/tree/$d/sparkbench"; chmod +x "$WORK/tree/$d/sparkbench"; done
touch -d '2020-01-01' "$WORK/tree/build-release/sparkbench"
got=$(cd "$WORK/tree" && source "$SRC/scripts/sparkbench_bin.sh" && echo "$SPARKBENCH")
[ "$got" = "$WORK/tree/build-ci/sparkbench" ] || fail "picked $got, not the newer build-ci binary"
touch "$WORK/tree/build-release/sparkbench"
got=$(cd "$WORK/tree" && source "$SRC/scripts/sparkbench_bin.sh" && echo "$SPARKBENCH")
[ "$got" = "$WORK/tree/build-release/sparkbench" ] || fail "picked $got after build-release was rebuilt"
rc=0; (cd "$WORK" && source "$SRC/scripts/sparkbench_bin.sh") 2> "$WORK/err" || rc=$?
[ "$rc" = 1 ] && grep -q "setup_native.sh" "$WORK/err" || fail "no binary: rc $rc, $(cat "$WORK/err")"
echo "ok"
