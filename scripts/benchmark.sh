#!/usr/bin/env bash
# The main job on a fresh machine: install dependencies, build, run the default suite natively and
# in the first usable container runtime (interleaved A B A B A B), write the comparison report.
# Without a container runtime it runs natively only; without a GPU the CPU cases; each time saying so.
#
#   scripts/benchmark.sh [SUITE] [sparkbench run options...]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup_native.sh
exec scripts/run_container_benchmark.sh auto "$@"
