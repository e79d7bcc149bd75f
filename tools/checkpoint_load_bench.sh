#!/usr/bin/env bash
# How fast the `llm` case loads a real-size checkpoint, and with how much host memory: Llama 3.1 8B as
# an F16 GGUF written by llama.cpp's gguf-py (../shared/tools/make_gguf.py) and as a BF16 safetensors
# file (tools/make_safetensors.py), 15 GiB each. For each file: the time to read it from the page
# cache (`cat FILE > /dev/null`, the second of two), then one short `sparkbench run` of the llm case
# on it under /usr/bin/time -v, its RssAnon, RssFile and VmHWM sampled every 0.2 s. The load time and
# the host memory come from the case's record (info.weights_load_s, info.host_memory_gib).
# Target (Hardening issue 11): load <= 2x the page-cache read; peak RssAnon <= 2 GiB.
#
#   tools/checkpoint_load_bench.sh MAKE_GGUF_PY [DIR]
#
# MAKE_GGUF_PY: a copy of ../shared/tools/make_gguf.py. It needs torch with CUDA and llama.cpp's gguf-py
# (the PyPI package `gguf`); when `import gguf` fails, a wheel in .whl/ (gguf-*.whl) is installed
# into a temporary folder. DIR: where the files, records and logs go (default /tmp/checkpoint-bench,
# about 31 GiB). SB: the sparkbench binary (default build-release/sparkbench, built when missing).
# FORMATS: which files to load (default "gguf safetensors"). Prints a summary, also kept in DIR/summary.txt
# and, where OUT is set (the device tool's output folder), copied there with each load's record.
set -euo pipefail
make_gguf=$(realpath -m "$1")  # the script works from the repository root
dir=${2:-/tmp/checkpoint-bench}
sb=${SB:-build-release/sparkbench}
formats=${FORMATS:-gguf safetensors}
cd "$(dirname "$0")/.."
mkdir -p "$dir"

if [ ! -x "$sb" ]; then
  echo "building $sb" >&2
  { cmake --preset release -DCMAKE_CUDA_ARCHITECTURES=90 && cmake --build --preset release -j "$(nproc)" --target sparkbench; } \
    > "$dir/build.log" 2>&1 || { tail -30 "$dir/build.log"; exit 1; }
fi
if ! python3 -c 'import gguf' 2> /dev/null && compgen -G ".whl/gguf-*.whl" > /dev/null; then
  python3 -m pip install -q --no-index --no-deps --no-compile --target "$dir/site" .whl/gguf-*.whl
  export PYTHONPATH="$dir/site${PYTHONPATH:+:$PYTHONPATH}"
fi

declare -A file=([gguf]="$dir/llama-3.1-8b-f16.gguf" [safetensors]="$dir/llama-3.1-8b-bf16.safetensors")
if [[ " $formats " == *" gguf "* && ! -s ${file[gguf]} ]]; then python3 "$make_gguf" "${file[gguf]}"; fi
if [[ " $formats " == *" safetensors "* && ! -s ${file[safetensors]} ]]; then
  python3 tools/make_safetensors.py "${file[safetensors]}"
fi

# The largest RssAnon, RssFile and VmHWM (kB) of process $1 while it lives, sampled every 0.2 s.
sample_memory() {
  local status=/proc/$1/status anon=0 rss_file=0 hwm=0 a f h
  while [ -e "$status" ]; do
    read -r a f h < <(awk '/^RssAnon:/ {a = $2} /^RssFile:/ {f = $2} /^VmHWM:/ {h = $2} END {print a + 0, f + 0, h + 0}' \
      "$status" 2> /dev/null || echo 0 0 0)
    ((a > anon)) && anon=$a
    ((f > rss_file)) && rss_file=$f
    ((h > hwm)) && hwm=$h
    sleep 0.2
  done
  echo "$anon $rss_file $hwm"
}

seconds_since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.3f", b - a }'; }

load() {  # FORMAT
  local name=$1 weights=${file[$1]} out=$dir/$1
  rm -rf "$out" && mkdir -p "$out"
  cat "$weights" > /dev/null  # into the page cache
  local start read_s
  start=$(date +%s.%N); cat "$weights" > /dev/null; read_s=$(seconds_since "$start")
  local timer=()
  [ -x /usr/bin/time ] && timer=(/usr/bin/time -v -o "$out/time.txt")
  # sh writes its pid, then becomes sparkbench: the sampler watches sparkbench itself.
  "${timer[@]}" sh -c 'echo $$ > "$0"; exec "$@"' "$out/pid" "$sb" run --workload llm -p model=llama-3.1-8b \
    -p weights="$weights" -p batch=1 -p prompt=16 -p generate=4 --reps 2 --min-reps 2 --warmup 0 \
    --label "$name" --out "$out/results" > "$out/record-path" 2> "$out/log" &
  local runner=$!
  while [ ! -s "$out/pid" ]; do sleep 0.05; done
  sample_memory "$(cat "$out/pid")" > "$out/sampled" &
  local sampler=$!
  wait "$runner" || { tail -n 20 "$out/log"; echo "$name: sparkbench run failed (log: $out/log)"; return 1; }
  wait "$sampler"
  python3 - "$name" "$weights" "$read_s" "$(cat "$out/record-path")" "$out/sampled" "$out/time.txt" <<'EOF'
import json, os, re, sys
name, weights, read_s, record, sampled, time_txt = sys.argv[1], sys.argv[2], float(sys.argv[3]), *sys.argv[4:]
gib = 2**30
case = json.load(open(record))["cases"][0]
info = case["info"]
load_s = info["weights_load_s"]
anon_kib, file_kib, hwm_kib = (int(x) for x in open(sampled).read().split())
max_rss = ""
if os.path.exists(time_txt):
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", open(time_txt).read())
    max_rss = f", /usr/bin/time max RSS {int(m.group(1)) * 1024 / gib:.2f} GiB" if m else ""
ratio, anon = load_s / read_s, anon_kib * 1024 / gib
ok = "MEETS" if ratio <= 2 and anon <= 2 else "MISSES"
print(f"{name}: {os.path.getsize(weights) / gib:.1f} GiB, status {case['status']}; page-cache read {read_s:.2f} s; "
      f"load {load_s:.2f} s = {ratio:.2f}x the read (target <= 2); peak RssAnon {anon:.2f} GiB (target <= 2), "
      f"peak RssFile {file_kib * 1024 / gib:.2f} GiB, peak VmHWM {hwm_kib * 1024 / gib:.2f} GiB{max_rss} -> {ok} the target")
print(f"  info.weights_load: {json.dumps(info['weights_load'])}")
print(f"  info.host_memory_gib: {json.dumps(info['host_memory_gib'])}")
EOF
}

for format in $formats; do load "$format" || true; done 2>&1 | tee "$dir/summary.txt"
if [ -n "${OUT:-}" ]; then
  cp "$dir/summary.txt" "$OUT/checkpoint_load_summary.txt"
  for format in $formats; do
    if [ -s "$dir/$format/record-path" ]; then cp "$(cat "$dir/$format/record-path")" "$OUT/checkpoint_load_$format.json"; fi
  done
fi
