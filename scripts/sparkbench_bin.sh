# Sourced by the scripts: sets SPARKBENCH to the newest built binary (the one a rebuild just wrote,
# not whichever build directory comes first), or says how to build one.
SPARKBENCH=""
for candidate in build-release/sparkbench build/sparkbench build-ci/sparkbench build-cpu/sparkbench; do
  if [ -x "$candidate" ] && { [ -z "$SPARKBENCH" ] || [ "$candidate" -nt "$SPARKBENCH" ]; }; then
    SPARKBENCH="$PWD/$candidate"
  fi
done
if [ -z "$SPARKBENCH" ]; then
  echo "no sparkbench binary found: run scripts/setup_native.sh first" >&2
  exit 1
fi
