#!/usr/bin/env bash
# The test command (README, and what CI runs): install dependencies, build with the `ci` preset,
# run every test. GPU tests (label `gpu`) skip with a message where no GPU is present.
#
#   scripts/test.sh                 # everything
#   scripts/test.sh -L unit         # extra arguments go to ctest (e.g. a label)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup_native.sh --preset ci
ctest --preset ci "$@"
