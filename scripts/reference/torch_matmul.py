#!/usr/bin/env python3
"""Reference timing of torch.matmul, to compare with sparkbench's `matmul` workload.

Times an n x n x n torch.matmul per precision with the same method as sparkbench: random inputs in
[-1, 1) (never zeros), CUDA events on the current stream, warm-up, then `inner` GEMMs per repetition
with inner chosen so that one repetition lasts >= 25 ms. Prints one JSON object.

    python3 scripts/reference/torch_matmul.py --n 10000 --reps 20
"""
import argparse
import json
import math
import statistics

import torch

TARGET_REPETITION_MS = 25.0
DTYPES = {"fp32": torch.float32, "tf32": torch.float32, "fp16": torch.float16, "bf16": torch.bfloat16}


def time_batch_ms(a, b, out, count):
    start, stop = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    start.record()
    for _ in range(count):
        torch.matmul(a, b, out=out)
    stop.record()
    stop.synchronize()
    return start.elapsed_time(stop)


def auto_inner(a, b, out):
    """sparkbench's rule: double the batch until it lasts >= 5 ms, best of three, aim at 25 ms."""
    count = 1
    while (ms := time_batch_ms(a, b, out, count)) < 5.0:
        count *= 2
    ms = min(ms, *(time_batch_ms(a, b, out, count) for _ in range(2)))
    return max(1, math.ceil(TARGET_REPETITION_MS / (ms / count)))


def measure(precision, n, reps, generator):
    torch.backends.cuda.matmul.allow_tf32 = precision == "tf32"
    dtype = DTYPES[precision]
    a, b = (torch.rand(n, n, device="cuda", generator=generator) * 2 - 1 for _ in range(2))
    a, b = a.to(dtype), b.to(dtype)
    out = torch.empty(n, n, device="cuda", dtype=dtype)
    time_batch_ms(a, b, out, 3)  # warm-up: cuBLAS handle, heuristics, clocks
    inner = auto_inner(a, b, out)
    per_gemm_ms = [time_batch_ms(a, b, out, inner) / inner for _ in range(reps)]
    median_ms = statistics.median(per_gemm_ms)
    return {"median_ms": median_ms, "tflops": 2 * n**3 / (median_ms * 1e-3) / 1e12, "reps": reps, "inner": inner,
            "min_ms": min(per_gemm_ms), "max_ms": max(per_gemm_ms)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10000, help="matrix size (default 10000)")
    parser.add_argument("--reps", type=int, default=20, help="timed repetitions per precision (default 20)")
    parser.add_argument("--precisions", default="fp32,tf32,fp16,bf16", help="comma-separated subset")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()

    generator = torch.Generator(device="cuda").manual_seed(args.seed)
    result = {"n": args.n, "gpu": torch.cuda.get_device_name(), "torch": torch.__version__,
              "cuda": torch.version.cuda, "cublas_preferred_backend": str(torch.backends.cuda.preferred_blas_library())}
    for precision in args.precisions.split(","):
        result[precision] = measure(precision, args.n, args.reps, generator)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
