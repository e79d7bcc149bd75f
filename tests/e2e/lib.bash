# Helpers for the end-to-end tests: each test gets the sparkbench binary ($1) and the source dir ($2).
set -euo pipefail
SB="$1"
SRC="$2"
WORK=$(mktemp -d /tmp/sparkbench-e2e-XXXXXX)
trap 'rm -rf "$WORK"' EXIT
export SPARKBENCH_CONFIG="$SRC/benchmarks/config.yaml"
fail() { echo "FAIL: $*" >&2; exit 1; }
# expect_error EXPECTED_RC PATTERN -- command...: the command exits EXPECTED_RC and stderr matches PATTERN
expect_error() {
  local rc_expected="$1" pattern="$2"; shift 3
  local rc=0
  "$@" >"$WORK/out" 2>"$WORK/err" || rc=$?
  [ "$rc" = "$rc_expected" ] || { cat "$WORK/err"; fail "'$*' exited $rc, expected $rc_expected"; }
  grep -Eq -e "$pattern" "$WORK/err" || { cat "$WORK/err"; fail "'$*' stderr lacks /$pattern/"; }
  grep -q "fix:" "$WORK/err" || { cat "$WORK/err"; fail "'$*' error gives no fix"; }
}
