# Helpers of the interrupt tests (interrupt.sh, interrupt_ab.sh), after lib.bash: wait for a line of
# a background sparkbench's stderr, wait for its end, and check that nothing of the test is left.
# The waits are bounded generously (60 s): far above what stopping takes, far below the planned
# work, so that a signal that does not stop the run fails the test instead of hanging it.

# The temporary directories of `ab` and `run --env` (named in the child's command line) under $WORK,
# so that the leftover check finds the child too.
mkdir -p "$WORK/tmp"
export TMPDIR="$WORK/tmp"

# A case that cannot end by itself within the test: 100000 repetitions or 10 minutes.
ENDLESS=(--workload matmul_cpu --param n=256 --param precision=fp64 --reps 100000 --min-reps 100000
         --max-time 600 --warmup 0 --ci-target 0.0001)

# A command that ignores SIGINT and SIGTERM (so that only an abort ends it) and writes its process
# group id to $WORK/stubborn.pid.
cat > "$WORK/stubborn.yaml" <<YAML
commands:
  stubborn:
    argv: [sh, -c, "trap '' INT TERM; echo \$\$ > $WORK/stubborn.pid; sleep 60; echo value 1"]
    metrics: [{name: value, unit: x, better: higher, regex: "value ([0-9]+)"}]
YAML

# wait_for FILE PATTERN: until a line of FILE matches the extended regex PATTERN.
wait_for() {
  for _ in $(seq 1 600); do
    grep -Eq -- "$2" "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  cat "$1" >&2 || true
  fail "no line /$2/ in $1 within 60 s"
}

# wait_end PID: until that background process has exited; its exit code in $rc.
wait_end() {
  local pid=$1
  for _ in $(seq 1 600); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    kill -KILL $(pgrep -f -- "$WORK/") 2>/dev/null || true
    fail "still running 60 s after the signal (killed)"
  fi
  rc=0
  wait "$pid" || rc=$?
}

# The processes of this test still running: those that name $WORK in their command line, and
# those of the stubborn command's process group (when it was started); zombies do not count.
running_of_this_test() {
  local pids
  pids=$(pgrep -f -- "$WORK/" || true)
  [ -f "$WORK/stubborn.pid" ] && pids="$pids $(pgrep -g "$(cat "$WORK/stubborn.pid")" || true)"
  for p in $pids; do
    ps -o stat=,pid=,args= -p "$p" 2>/dev/null | grep -v '^Z' || true
  done
}

# None is left: a process killed as sparkbench exits may take a moment to go (5 s at most).
assert_none_left() {
  local left
  for _ in $(seq 1 50); do
    left=$(running_of_this_test)
    [ -z "$left" ] && return 0
    sleep 0.1
  done
  fail "processes left running: $left"
}

# abort_with_two_sigints PID ERRFILE: once the stubborn command runs (it ignores SIGINT), two SIGINTs
# to PID; it must exit 130 at once, say "aborting" (in ERRFILE, its stderr) and leave nothing running.
abort_with_two_sigints() {
  local pid="$1" err="$2"
  for _ in $(seq 1 600); do [ -s "$WORK/stubborn.pid" ] && break; sleep 0.1; done
  [ -s "$WORK/stubborn.pid" ] || { cat "$err"; fail "the command did not start"; }
  kill -INT "$pid"
  sleep 0.5  # two signals sent at once would merge into one
  kill -INT "$pid"
  wait_end "$pid"
  [ "$rc" = 130 ] || { cat "$err"; fail "exit code $rc after two SIGINTs, expected 130"; }
  grep -q "aborting" "$err" || { cat "$err"; fail "no 'aborting' on stderr after the second SIGINT"; }
  assert_none_left
}
