#!/usr/bin/env python3
"""torch.matmul of n x n matrices, one process per sparkbench repetition (preset `torch-matmul`).

The same method as scripts/reference/torch_matmul.py, for one precision: random inputs in [-1, 1)
(never zeros), CUDA events on the current stream, warm-up, then `reps` batches of `inner` GEMMs
with inner chosen so that one batch lasts >= 25 ms. Prints ONE JSON line:

    {"n": 8192, "precision": "bf16", "reps": 10, "inner": 25, "median_ms": ..., "tflops": ..., ...}

    python3 torch_matmul.py --n 8192 --precision bf16
"""
import argparse
import json
import math
import statistics
import sys

TARGET_BATCH_MS = 25.0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=8192, help="matrix size (default 8192)")
    parser.add_argument("--precision", choices=["fp32", "tf32", "fp16", "bf16"], default="bf16")
    parser.add_argument("--reps", type=int, default=10, help="timed batches (default 10)")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()

    try:
        import torch
    except ImportError as e:
        sys.exit(f"torch_matmul.py: cannot import torch ({e}); install PyTorch for this python3 "
                 f"({sys.executable}), or point argv at the python that has it")
    if not torch.cuda.is_available():
        sys.exit("torch_matmul.py: torch.cuda.is_available() is False: no usable GPU for this PyTorch")

    def time_batch_ms(a, b, out, count):
        start, stop = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        for _ in range(count):
            torch.matmul(a, b, out=out)
        stop.record()
        stop.synchronize()
        return start.elapsed_time(stop)

    torch.backends.cuda.matmul.allow_tf32 = args.precision == "tf32"
    dtype = {"fp32": torch.float32, "tf32": torch.float32, "fp16": torch.float16, "bf16": torch.bfloat16}[args.precision]
    generator = torch.Generator(device="cuda").manual_seed(args.seed)
    a, b = ((torch.rand(args.n, args.n, device="cuda", generator=generator) * 2 - 1).to(dtype) for _ in range(2))
    out = torch.empty(args.n, args.n, device="cuda", dtype=dtype)

    time_batch_ms(a, b, out, 3)  # warm-up: cuBLAS handle, heuristics, clocks
    count = 1
    while (ms := time_batch_ms(a, b, out, count)) < 5.0:
        count *= 2
    inner = max(1, math.ceil(TARGET_BATCH_MS / (ms / count)))
    per_gemm_ms = [time_batch_ms(a, b, out, inner) / inner for _ in range(args.reps)]
    median_ms = statistics.median(per_gemm_ms)
    print(json.dumps({"n": args.n, "precision": args.precision, "reps": args.reps, "inner": inner,
                      "median_ms": median_ms, "min_ms": min(per_gemm_ms), "max_ms": max(per_gemm_ms),
                      "tflops": 2 * args.n**3 / (median_ms * 1e-3) / 1e12, "gpu": torch.cuda.get_device_name(),
                      "torch": torch.__version__, "cuda": torch.version.cuda}), flush=True)


if __name__ == "__main__":
    main()
