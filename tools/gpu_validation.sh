#!/usr/bin/env bash
# Build, test and measure on a GPU machine in one go (what we run on the lent H100/H200 for the
# numbers in docs/benchmarks.md). Logs and records are packed into $OUT/gpu-out.tgz (the device tool
# returns at most 8 files), with summary.txt beside it.
#
#   tools/gpu_validation.sh [STEP...]     steps: build test env sanity torch sampler micro oci (default: all)
# The oci step needs Debian's crun and libyajl2 .deb files in .carry/ (apt-get download crun libyajl2).
set -uo pipefail
cd "$(dirname "$0")/.."
FINAL="${OUT:-$PWD/gpu-out-final}"
OUT=$(mktemp -d /tmp/gpu-out-XXXXXX)
mkdir -p "$FINAL"
pack() { tar czf "$FINAL/gpu-out.tgz" -C "$OUT" . && cp "$OUT/summary.txt" "$FINAL/"; }
trap pack EXIT
steps=("$@")
[ ${#steps[@]} -eq 0 ] && steps=(build test env sanity torch sampler micro oci)
want() { local s; for s in "${steps[@]}"; do [ "$s" = "$1" ] && return 0; done; return 1; }
log() { echo "== $(date -u +%H:%M:%S) $*" | tee -a "$OUT/summary.txt"; }
SB=build-release/sparkbench

if want build; then
  log "build"
  nvidia-smi --query-gpu=name,driver_version,compute_cap,clocks.max.sm,power.limit --format=csv | tee -a "$OUT/summary.txt"
  { cmake --preset release -DCMAKE_CUDA_ARCHITECTURES=90 && cmake --build --preset release -j "$(nproc)"; } \
    > "$OUT/build.log" 2>&1 || { tail -50 "$OUT/build.log"; log "BUILD FAILED"; exit 1; }
  grep -E "sparkbench:|OpenBLAS|gnuplot" "$OUT/build.log" | tee -a "$OUT/summary.txt"
fi
if want test; then
  log "ctest (all labels, GPU included)"
  ctest --test-dir build-release --output-on-failure -j 4 > "$OUT/ctest.log" 2>&1
  tail -n 25 "$OUT/ctest.log" | tee -a "$OUT/summary.txt"
  grep -E "Skipped|SKIPPED" "$OUT/ctest.log" | head -20 | tee -a "$OUT/summary.txt"
fi
if want env; then
  log "env"
  $SB env > "$OUT/env.txt" 2>&1; $SB env --json > "$OUT/env.json" 2>&1
  head -n 60 "$OUT/env.txt"
fi
if want sanity; then
  log "sparkbench run --suite sanity"
  rec=$($SB run --suite sanity --label native --out "$OUT/results" 2> "$OUT/sanity.log")
  cat "$OUT/sanity.log" | tee -a "$OUT/summary.txt"
  [ -n "$rec" ] && $SB report "$rec" -o "$OUT/sanity.md" > /dev/null && cp "$rec" "$OUT/sanity.json"
fi
if want torch; then
  log "torch.matmul reference, n=10000"
  python3 scripts/reference/torch_matmul.py --n 10000 > "$OUT/torch_matmul.json" 2> "$OUT/torch.log"
  cat "$OUT/torch_matmul.json" | tee -a "$OUT/summary.txt"
fi
if want micro; then
  log "sparkbench run --suite micro (GPU part)"
  rec=$($SB run --suite micro --label native --out "$OUT/results" 2> "$OUT/micro.log")
  tail -n 40 "$OUT/micro.log" | tee -a "$OUT/summary.txt"
  [ -n "$rec" ] && cp "$rec" "$OUT/micro.json"
fi
if want sampler; then
  log "telemetry sampler cost"
  $SB env --sampler-cost 2>&1 | tee -a "$OUT/summary.txt"
fi
if want oci; then
  log "sparkbench ab --env native --env oci --suite sanity (crun from .carry)"
  mkdir -p /tmp/ct && for f in .carry/crun_*.deb .carry/libyajl2_*.deb; do dpkg -x "$f" /tmp/ct; done
  printf '#!/bin/sh\nexec env LD_LIBRARY_PATH=/tmp/ct/usr/lib/x86_64-linux-gnu /tmp/ct/usr/bin/crun "$@"\n' > /tmp/ct/crun
  chmod +x /tmp/ct/crun
  SPARKBENCH_OCI_RUNTIME=/tmp/ct/crun $SB runtimes > "$OUT/runtimes.txt" 2>&1; cat "$OUT/runtimes.txt"
  SPARKBENCH_OCI_RUNTIME=/tmp/ct/crun $SB ab --env native --env oci --suite sanity --rounds 2 --out "$OUT/ab" \
    > "$OUT/ab.log" 2>&1
  tail -n 30 "$OUT/ab.log" | tee -a "$OUT/summary.txt"
fi
log "done"
