#!/usr/bin/env bash
# Native vs container, interleaved (A B A B ...), then the comparison report.
#
#   scripts/run_container_benchmark.sh                   # suite `sanity`, the first usable runtime
#   scripts/run_container_benchmark.sh docker:IMAGE      # your image (the sparkbench bundle is mounted into it)
#   scripts/run_container_benchmark.sh podman sanity --precision 1
#
# ENV is docker[:IMAGE], podman[:IMAGE], apptainer[:IMAGE] or oci (see `sparkbench runtimes`).
# Without any usable runtime it runs natively only and says why.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/sparkbench_bin.sh
env_b="${1:-auto}"; [ $# -gt 0 ] && shift
suite="${1:-sanity}"; [ $# -gt 0 ] && shift
if [ "$env_b" = auto ]; then
  env_b=$("$SPARKBENCH" runtimes 2>/dev/null | awk '$2 == "usable" {print $1; exit}')
  if [ -z "$env_b" ]; then
    echo "run_container_benchmark.sh: no usable container runtime here (details: $SPARKBENCH runtimes);" \
         "running natively only" >&2
    exec scripts/run_native_benchmark.sh "$suite" "$@"
  fi
  echo "run_container_benchmark.sh: using the first usable runtime: $env_b" >&2
fi
exec "$SPARKBENCH" ab --env native --env "$env_b" --suite "$suite" "$@"
