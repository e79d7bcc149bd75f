#!/usr/bin/env bash
# Build, test and measure on a GPU machine in one go (what we run on the lent H100/H200 for the
# numbers in docs/benchmarks.md). Logs and records are packed into $OUT/gpu-out.tgz (the device tool
# returns at most 8 files), with summary.txt beside it.
#
#   tools/gpu_validation.sh [STEP...]
#     steps: build test gputest env sanity torch sampler micro oci oci-precision docker docker-image llm peer
#            oci-micro oci-llm oci-command oci-plant-quota docker-llm (default: all but the docker ones and oci-precision;
#            docker-image and docker-llm need docker)
# The oci* steps need Debian's crun and libyajl2 .deb files in .carry/ (apt-get download crun libyajl2);
# the peer step needs ../shared/tools/torch_llm_peer.py copied to .carry/; the docker step needs
# .carry/docker-bins.tar.xz: dockerd, docker, containerd, containerd-shim-runc-v2 and runc in bin/ and
# libdevmapper.so.1.02.1 in lib/, from Debian 12's docker.io, containerd, runc and libdevmapper1.02.1
# (the .deb files are over the device tool's 64 MiB carry limit; the xz tarball is 36 MB).
set -uo pipefail
cd "$(dirname "$0")/.."
FINAL="${OUT:-$PWD/gpu-out-final}"
OUT=$(mktemp -d /tmp/gpu-out-XXXXXX)
mkdir -p "$FINAL"
pack() { tar czf "$FINAL/gpu-out.tgz" -C "$OUT" . && cp "$OUT/summary.txt" "$FINAL/"; }
trap pack EXIT
steps=("$@")
[ ${#steps[@]} -eq 0 ] && steps=(build test env sanity torch sampler micro oci llm peer oci-micro oci-llm oci-command)
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
if want gputest; then
  log "ctest -L gpu (GPU tests only), then the LLM kernels' and engine's speed prints"
  ctest --test-dir build-release -L gpu --output-on-failure > "$OUT/ctest-gpu.log" 2>&1
  tail -n 15 "$OUT/ctest-gpu.log" | tee -a "$OUT/summary.txt"
  SPARKBENCH_LLM_PERF=1 build-release/tests/sparkbench_gpu_tests --gtest_filter='*Perf*:*Speed*' \
    > "$OUT/llm-perf.log" 2>&1
  grep -vE "^\[ *(RUN|OK) " "$OUT/llm-perf.log" | tail -n 40 | tee -a "$OUT/summary.txt"
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
  python3 benchmarks/commands/torch_matmul.py --n 10000 --precision fp32,tf32,fp16,bf16 --reps 20 > "$OUT/torch_matmul.jsonl" 2> "$OUT/torch.log"
  cat "$OUT/torch_matmul.jsonl" | tee -a "$OUT/summary.txt"
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
unpack_crun() {
  [ -x /tmp/ct/crun ] && return 0
  mkdir -p /tmp/ct && for f in .carry/crun_*.deb .carry/libyajl2_*.deb; do dpkg -x "$f" /tmp/ct; done
  printf '#!/bin/sh\nexec env LD_LIBRARY_PATH=/tmp/ct/usr/lib/x86_64-linux-gnu /tmp/ct/usr/bin/crun "$@"\n' > /tmp/ct/crun
  chmod +x /tmp/ct/crun
  SPARKBENCH_OCI_RUNTIME=/tmp/ct/crun $SB runtimes > "$OUT/runtimes.txt" 2>&1; cat "$OUT/runtimes.txt"
}
if want oci; then
  log "sparkbench ab --env native --env oci --suite sanity (crun from .carry)"
  unpack_crun
  SPARKBENCH_OCI_RUNTIME=/tmp/ct/crun $SB ab --env native --env oci --suite sanity --rounds 2 --out "$OUT/ab" \
    > "$OUT/ab.log" 2>&1
  tail -n 30 "$OUT/ab.log" | tee -a "$OUT/summary.txt"
fi
if want oci-precision; then
  # ab's own rule: rounds until every case's overhead CI is within ±1% (at most 8 rounds, 7 minutes).
  log "sparkbench ab --env native --env oci --suite sanity --precision 1 (crun from .carry)"
  unpack_crun
  SPARKBENCH_OCI_RUNTIME=/tmp/ct/crun $SB ab --env native --env oci --suite sanity --precision 1 --max-rounds 8 \
    --max-total-time 420 --out "$OUT/ab-precision" > "$OUT/ab-precision.log" 2>&1
  grep -E "after [0-9]+ round|reached|^(equivalent|inconclusive|slower|faster)" "$OUT/ab-precision.log" | tee -a "$OUT/summary.txt"
  sed -n '/^## Results/,/^## GPU telemetry/p' "$OUT"/ab-precision/compare/*/report.md | tee -a "$OUT/summary.txt"
fi
if want docker; then
  log "sparkbench ab --env native --env docker --suite sanity (a private dockerd from .carry)"
  mkdir -p /tmp/dk && tar -C /tmp/dk -xJf .carry/docker-bins.tar.xz
  export PATH="/tmp/dk/bin:$PATH"
  # dockerd re-executes itself (docker-applyLayer) with a clean environment: register the library.
  echo /tmp/dk/lib > /etc/ld.so.conf.d/sparkbench-docker.conf && ldconfig
  d=/tmp/dk/state && mkdir -p "$d"
  dockerd --iptables=false --ip6tables=false --bridge=none --storage-driver=vfs \
    --data-root "$d/root" --exec-root "$d/exec" --pidfile "$d/pid" -H "unix://$d/sock" > "$OUT/dockerd.log" 2>&1 &
  export DOCKER_HOST="unix://$d/sock"
  for _ in $(seq 60); do docker info > /dev/null 2>&1 && break; sleep 0.5; done
  docker version 2>&1 | grep -E "Version|API" | head -n 4 | tee -a "$OUT/summary.txt"
  $SB runtimes 2>&1 | tee "$OUT/runtimes-docker.txt" | grep -A3 "^docker" | tee -a "$OUT/summary.txt"
  $SB ab --env native --env docker --suite sanity --rounds 2 --out "$OUT/ab-docker" > "$OUT/ab-docker.log" 2>&1
  tail -n 30 "$OUT/ab-docker.log" | tee -a "$OUT/summary.txt"
fi
if want docker-image; then
  # Bundle mode with a GPU: a user image that has nothing but a shell, the C library and its own
  # cuBLAS (PyTorch's wheel's where there is one, else the toolkit's); the bundle brings the rest.
  log "sparkbench ab --env native --env docker:IMAGE --suite sanity, IMAGE with its own cuBLAS"
  R=/tmp/user-image && rm -rf "$R" && mkdir -p "$R"/{bin,sbin,tmp,proc,sys,dev,etc,opt/cublas}
  cp "$(readlink -f /bin/sh)" "$R/bin/sh"
  cp "$(readlink -f /sbin/ldconfig.real 2> /dev/null || readlink -f /sbin/ldconfig)" "$R/sbin/ldconfig"
  for lib in $(ldd "$SB" /bin/sh | grep -oE '/[^ ]*(libc|libm|libpthread|libdl|librt|ld-linux[^ ]*)\.so[^ ]*' | sort -u); do
    mkdir -p "$R$(dirname "$lib")" && cp -L "$lib" "$R$lib"
  done
  cublas=$(dirname "$(find /opt /usr/local/lib /usr/lib/python3* -name libcublas.so.13 2> /dev/null | head -n 1)")
  [ -f "$cublas/libcublas.so.13" ] || cublas=/usr/local/cuda/lib64
  cp -L "$cublas"/libcublas.so.13 "$cublas"/libcublasLt.so.13 "$R/opt/cublas/"
  echo /opt/cublas > "$R/etc/ld.so.conf" && ldconfig -r "$R" && ldconfig -r "$R" -p | grep cublas
  echo "image cuBLAS from $cublas: $(ls -l "$cublas"/libcublas.so.13* | awk '{print $NF}' | tr '\n' ' ')" | tee -a "$OUT/summary.txt"
  tar -C "$R" -cf /tmp/user-image.tar . && docker import /tmp/user-image.tar sparkbench-gpu/user-cublas:1 > /dev/null
  $SB ab --env native --env docker:sparkbench-gpu/user-cublas:1 --suite sanity --rounds 2 --out "$OUT/ab-docker-image" \
    > "$OUT/ab-docker-image.log" 2>&1
  tail -n 12 "$OUT/ab-docker-image.log" | tee -a "$OUT/summary.txt"
  python3 - "$OUT"/ab-docker-image/*/*.json << 'PY' | tee -a "$OUT/summary.txt"
import json, sys
for f in sys.argv[1:]:
    env = json.load(open(f))["environment"]
    paths = [l["real_path"] for l in env.get("libraries", {}).get("loaded", []) if "cublas" in l["path"]]
    print(f.split("/")[-2], "cuBLAS", env.get("cuda", {}).get("cublas", {}).get("version"), *paths)
PY
fi
if want llm; then
  log "sparkbench run --suite llm"
  rec=$($SB run --suite llm --label native --out "$OUT/results" 2> "$OUT/llm.log")
  tail -n 40 "$OUT/llm.log" | tee -a "$OUT/summary.txt"
  [ -n "$rec" ] && cp "$rec" "$OUT/llm.json" && $SB report "$rec" -o "$OUT/llm.md" > /dev/null
fi
if want peer; then
  log "transformers peer (../shared/tools/torch_llm_peer.py, eager generate, random bf16 weights)"
  python3 .carry/torch_llm_peer.py > "$OUT/peer.txt" 2> "$OUT/peer.log"
  cat "$OUT/peer.txt" | tee -a "$OUT/summary.txt"; tail -n 5 "$OUT/peer.log"
fi
if want oci-plant-quota; then
  log "planted cause: ab --env native --env oci --cpus 0.5 on launch_latency (launch-bound), then doctor"
  unpack_crun
  SPARKBENCH_OCI_RUNTIME=/tmp/ct/crun $SB ab --env native --env oci --cpus 0.5 --workload launch_latency --rounds 3 \
    --out "$OUT/plant-quota" > "$OUT/plant-quota.log" 2>&1
  tail -n 12 "$OUT/plant-quota.log" | tee -a "$OUT/summary.txt"
  $SB doctor "$OUT/plant-quota/native" "$OUT/plant-quota/oci" > "$OUT/plant-quota-doctor.txt" 2>&1
  head -n 30 "$OUT/plant-quota-doctor.txt" | tee -a "$OUT/summary.txt"
fi
if want oci-micro; then
  log "sparkbench ab --env native --env oci --suite micro-gpu"
  unpack_crun
  SPARKBENCH_OCI_RUNTIME=/tmp/ct/crun $SB ab --env native --env oci --suite micro-gpu --rounds 2 \
    --max-time 2 --reps 10 --out "$OUT/ab-micro" > "$OUT/ab-micro.log" 2>&1
  tail -n 40 "$OUT/ab-micro.log" | tee -a "$OUT/summary.txt"
fi
if want oci-llm; then
  log "sparkbench ab --env native --env oci --suite llm-quick"
  unpack_crun
  SPARKBENCH_OCI_RUNTIME=/tmp/ct/crun $SB ab --env native --env oci --suite llm-quick --rounds 2 \
    --out "$OUT/ab-llm" > "$OUT/ab-llm.log" 2>&1
  tail -n 30 "$OUT/ab-llm.log" | tee -a "$OUT/summary.txt"
fi
if want oci-command; then
  log "sparkbench ab --env native --env oci, command workload running PyTorch"
  unpack_crun
  python3 -c 'import torch; print("torch", torch.__version__, "at", torch.__file__)' 2>&1 | tee -a "$OUT/summary.txt"
  SPARKBENCH_OCI_RUNTIME=/tmp/ct/crun $SB ab --env native --env oci --config benchmarks/commands/torch_matmul.yaml \
    --suite torch-matmul --rounds 2 --reps 5 --out "$OUT/ab-command" > "$OUT/ab-command.log" 2>&1
  tail -n 30 "$OUT/ab-command.log" | tee -a "$OUT/summary.txt"
fi
if want docker-llm; then
  log "sparkbench ab --env native --env docker --suite llm-quick (needs the docker step first)"
  $SB ab --env native --env docker --suite llm-quick --rounds 2 --out "$OUT/ab-docker-llm" > "$OUT/ab-docker-llm.log" 2>&1
  tail -n 30 "$OUT/ab-docker-llm.log" | tee -a "$OUT/summary.txt"
fi
[ -f /tmp/dk/state/pid ] && kill "$(cat /tmp/dk/state/pid)" 2> /dev/null
log "done"
