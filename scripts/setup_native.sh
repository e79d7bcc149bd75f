#!/usr/bin/env bash
# Installs sparkbench's build dependencies from the distribution (Debian 12 / Ubuntu 24.04) and
# builds it. Nothing is downloaded except Debian/Ubuntu packages.
#
#   scripts/setup_native.sh                 # install packages, build with the `release` preset
#   scripts/setup_native.sh --preset ci     # another CMake preset (default, release, ci, cpu)
#   scripts/setup_native.sh --no-install    # build only (packages already there)
#   scripts/setup_native.sh --with-container-runtimes   # also docker.io, podman, runc, crun (for
#                                           # `--env docker|podman|oci` and the container tests)
#
# CUDA: when nvcc is found (PATH or /usr/local/cuda/bin) the GPU workloads are built; install the
# CUDA toolkit yourself (NVIDIA's packages) — this script does not.
set -euo pipefail
cd "$(dirname "$0")/.."

preset=release
install=1
containers=0
while [ $# -gt 0 ]; do
  case "$1" in
    --preset) preset="$2"; shift 2 ;;
    --no-install) install=0; shift ;;
    --with-container-runtimes) containers=1; shift ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "setup_native.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done

packages=(build-essential cmake ninja-build pkg-config libyaml-cpp-dev nlohmann-json3-dev libcli11-dev
          libfmt-dev libboost-math-dev libopenblas-dev libgtest-dev gnuplot-nox)
# Container runtimes: podman needs runc where crun refuses a hybrid cgroup layout (sparkbench then
# runs podman with --runtime runc); the oci launcher drives crun or runc directly.
if [ "$containers" = 1 ]; then packages+=(docker.io podman runc crun); fi
if [ "$install" = 1 ]; then
  missing=()
  for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  if [ ${#missing[@]} -gt 0 ]; then
    sudo=""
    if [ "$(id -u)" != 0 ]; then
      command -v sudo >/dev/null || { echo "setup_native.sh: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
      sudo=sudo
    fi
    echo "setup_native.sh: installing ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
fi

if ! command -v nvcc >/dev/null && [ -x /usr/local/cuda/bin/nvcc ]; then
  export PATH=/usr/local/cuda/bin:$PATH
fi
command -v nvcc >/dev/null || echo "setup_native.sh: no nvcc found: CPU-only build (GPU workloads will be unavailable)"

cmake --preset "$preset"
cmake --build --preset "$preset" -j "$(nproc)"
case "$preset" in default) dir=build ;; *) dir=build-$preset ;; esac  # the presets' binaryDir
echo "setup_native.sh: built $dir/sparkbench"
