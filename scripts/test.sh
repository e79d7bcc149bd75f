#!/usr/bin/env bash
# The test command (README, and what CI runs): install dependencies, build with the `ci` preset,
# run every test. GPU tests (label `gpu`) skip with a message where no GPU is present. The container
# runtimes (Docker, Podman, runc, crun) are installed too: the e2e tests start a private dockerd and
# run real containers; they skip with a message where a runtime cannot run.
#
#   scripts/test.sh                 # everything
#   scripts/test.sh -L unit         # extra arguments go to ctest (e.g. a label)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup_native.sh --preset ci --with-container-runtimes
ctest --preset ci "$@"
