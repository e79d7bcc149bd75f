# Sourced by the scripts: sets SPARKBENCH to the newest built binary, or says how to build one.
for candidate in build-release/sparkbench build/sparkbench build-ci/sparkbench build-cpu/sparkbench; do
  if [ -x "$candidate" ]; then SPARKBENCH="$PWD/$candidate"; break; fi
done
if [ -z "${SPARKBENCH:-}" ]; then
  echo "no sparkbench binary found: run scripts/setup_native.sh first" >&2
  exit 1
fi
