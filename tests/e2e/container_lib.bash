# Helpers for the container end-to-end tests (sourced after lib.bash). Each test starts what it
# needs in $WORK and stops it by PID at exit; a runtime that cannot run here makes the test skip
# (exit 77) with the reason.
CLEANUP=()
trap 'for c in "${CLEANUP[@]}"; do eval "$c" || true; done; rm -rf "$WORK"' EXIT

skip() { echo "SKIP: $*" >&2; exit 77; }

# A private Docker daemon (vfs storage, no networking setup: works inside containers without
# systemd) on $WORK/docker/sock; exports DOCKER_HOST.
start_dockerd() {
  command -v docker >/dev/null || skip "no docker CLI (apt-get install docker.io)"
  command -v dockerd >/dev/null || skip "no dockerd (apt-get install docker.io)"
  [ "$(id -u)" = 0 ] || skip "starting a private dockerd needs root"
  local d="$WORK/docker"
  mkdir -p "$d"
  dockerd --iptables=false --ip6tables=false --bridge=none --storage-driver=vfs --data-root "$d/root" \
    --exec-root "$d/exec" --pidfile "$d/pid" -H "unix://$d/sock" >"$d/log" 2>&1 &
  local pid=$!
  CLEANUP+=("kill $pid 2>/dev/null; for i in \$(seq 50); do kill -0 $pid 2>/dev/null || break; sleep 0.2; done")
  export DOCKER_HOST="unix://$d/sock"
  for _ in $(seq 60); do
    docker info >/dev/null 2>&1 && return 0
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  tail -n 5 "$d/log" >&2
  skip "dockerd could not be started here (log above)"
}

# import_minimal_image TAG: a docker image with nothing but /bin/sh and the C library of this host
# (what the sparkbench binary and sh link from it), for bundle mode: the bundle brings the rest.
import_minimal_image() {
  local root="$WORK/minimal-rootfs"
  rm -rf "$root" && mkdir -p "$root"/{bin,tmp,proc,sys,dev,etc}
  cp "$(readlink -f /bin/sh)" "$root/bin/sh"
  for lib in $(ldd "$SB" /bin/sh | grep -oE '/[^ ]*(libc|libm|libpthread|libdl|librt|ld-linux[^ ]*)\.so[^ ]*' | sort -u); do
    mkdir -p "$root$(dirname "$lib")"
    cp "$(readlink -f "$lib")" "$root$lib"
  done
  tar -C "$root" -cf "$WORK/minimal-rootfs.tar" .
  docker import "$WORK/minimal-rootfs.tar" "$1" >/dev/null
}

# Podman with its storage in $WORK (vfs: no overlay mounts needed), so nothing is left behind.
use_private_podman() {
  command -v podman >/dev/null || skip "no podman (apt-get install podman runc)"
  local d="$WORK/podman"
  mkdir -p "$d"
  printf '[storage]\ndriver = "vfs"\ngraphroot = "%s/root"\nrunroot = "%s/run"\n' "$d" "$d" >"$d/storage.conf"
  export CONTAINERS_STORAGE_CONF="$d/storage.conf"
  podman info >/dev/null 2>"$d/info.err" || { cat "$d/info.err" >&2; skip "podman does not work here (above)"; }
  CLEANUP+=("podman rm -af >/dev/null 2>&1; podman rmi -af >/dev/null 2>&1")
}

# (Helpers grep variables, not pipes: `producer | grep -q` fails under pipefail when grep quits
# early and the producer gets SIGPIPE.)
# The lines of a JSON object written with one space of indent per level: json_object FILE KEY INDENT
# prints the object "KEY": { ... } found at that indent (the records are dumped that way).
json_object() {
  awk -v key="\"$2\": {" -v ind="$3" '
    BEGIN { pad = sprintf("%" ind "s", "") }
    !inside && index($0, pad key) == 1 { inside = 1 }
    inside { print }
    inside && $0 == pad "}" || inside && $0 == pad "}," { exit }' "$1"
}

# assert_ab_records DIR LABEL RUNTIME N: N records in DIR/LABEL, each saying it ran in RUNTIME.
assert_container_records() {
  local dir="$1" label="$2" runtime="$3" n="$4" count=0
  for rec in "$dir/$label"/*.json; do
    [ -f "$rec" ] || continue
    count=$((count + 1))
    local c l
    c=$(json_object "$rec" container 2)
    l=$(json_object "$rec" launch 1)
    grep -q '"detected": true' <<<"$c" || fail "$rec: environment.container.detected is not true"
    grep -q "\"runtime\": \"$runtime\"" <<<"$c" || { echo "$c"; fail "$rec: container runtime is not $runtime"; }
    grep -q '"runtime_source": "SPARKBENCH_LAUNCHER"' <<<"$c" || fail "$rec: runtime not from SPARKBENCH_LAUNCHER"
    grep -q "\"command_line\": \"[^\"]*$runtime" <<<"$l" || fail "$rec: launch lacks the $runtime command line"
  done
  [ "$count" = "$n" ] || fail "$dir/$label has $count records, expected $n"
}

assert_native_records() {
  local dir="$1" n="$2" count=0
  for rec in "$dir/native"/*.json; do
    [ -f "$rec" ] || continue
    count=$((count + 1))
    grep -q '"mode": "native"' <<<"$(json_object "$rec" launch 1)" || fail "$rec: launch.mode is not native"
    grep -q '"runtime_source": "SPARKBENCH_LAUNCHER"' <<<"$(json_object "$rec" container 2)" &&
      fail "$rec: native record claims a launcher"
  done
  [ "$count" = "$n" ] || fail "$dir/native has $count records, expected $n"
}

# A CPU quota of 0.5 CPU on cpu_scaling with every thread: the candidate is slower (three rounds: with two,
# one erratic round under the quota leaves too few degrees of freedom to show even a 4x gap)
# and the quota is named in the environment differences of the report.
assert_quota_slowdown() {
  local env="$1" label="$2"
  "$SB" ab --env native --env "$env" --label-b "$label" --workload cpu_scaling --param threads=all \
    --reps 5 --rounds 3 --cpus 0.5 --out quota --report quota/report >quota.out 2>quota.err ||
    { tail -n 20 quota.err; fail "ab with --cpus 0.5 failed"; }
  cat quota.out
  grep -Eq "\| \`cpu_scaling/threads=all\`[^|]*\|.*\| slower \((moderate|significant|critical)\) \|" quota/report/report.md ||
    fail "cpu_scaling under --cpus 0.5 is not reported as slower (moderate or worse)"
  grep -Eq '^\| `cgroup\.[a-z_.]*quota[a-z_.]*` \| [^|]* \| 0\.5 \|' quota/report/report.md ||
    { grep -n quota quota/report/report.md; fail "the 0.5 CPU quota is not in the environment differences"; }
  # doctor ranks the quota first, with the slowed cpu-layer case as evidence.
  "$SB" doctor quota/native "quota/$label" > doctor.out || fail "doctor failed"
  cat doctor.out
  grep -A1 "^1\. " doctor.out | grep -qi "quota" || fail "doctor does not rank the CPU quota first"
}
