#!/usr/bin/env bash
# The main job on a fresh machine: install dependencies, build, run the default suite, write a report.
# With a GPU the CUDA workloads run; without one the CPU cases run, and the output says so.
#
#   scripts/benchmark.sh [SUITE] [sparkbench run options...]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup_native.sh
exec scripts/run_native_benchmark.sh "$@"
