#!/usr/bin/env python3
"""torch.matmul of n x n matrices, timed the way sparkbench's `matmul` workload times cuBLAS.

Random inputs in [-1, 1) (never zeros), CUDA events on the current stream, warm-up, then `reps`
batches of `inner` GEMMs, with inner chosen by sparkbench's rule (double the batch until it lasts
>= 5 ms, best of three, aim at 25 ms per batch). Prints ONE JSON line per precision:

    {"n": 10000, "precision": "bf16", "reps": 20, "inner": 9, "median_ms": ..., "tflops": ..., ...}

Two uses:
    python3 benchmarks/commands/torch_matmul.py --n 10000 --precision fp32,tf32,fp16,bf16 --reps 20
        the reference for `sparkbench run --suite sanity` (docs/benchmarks.md);
    the `command` workload of benchmarks/commands/torch_matmul.yaml (preset `torch-matmul`), one
        precision and one Python process per sparkbench repetition.
"""
import argparse
import json
import math
import statistics
import sys

TARGET_BATCH_MS = 25.0
PRECISIONS = ("fp32", "tf32", "fp16", "bf16")


def precision_list(text):
    chosen = text.split(",")
    unknown = [p for p in chosen if p not in PRECISIONS]
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown precision {', '.join(unknown)}; choose from {', '.join(PRECISIONS)}")
    return chosen


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10000, help="matrix size (default 10000)")
    parser.add_argument("--precision", type=precision_list, default=["bf16"],
                        help="one or a comma-separated list of fp32, tf32, fp16, bf16 (default bf16)")
    parser.add_argument("--reps", type=int, default=10, help="timed batches per precision (default 10)")
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

    def auto_inner(a, b, out):
        count = 1
        while (ms := time_batch_ms(a, b, out, count)) < 5.0:
            count *= 2
        ms = min(ms, *(time_batch_ms(a, b, out, count) for _ in range(2)))
        return max(1, math.ceil(TARGET_BATCH_MS / (ms / count)))

    dtypes = {"fp32": torch.float32, "tf32": torch.float32, "fp16": torch.float16, "bf16": torch.bfloat16}
    generator = torch.Generator(device="cuda").manual_seed(args.seed)
    for precision in args.precision:
        torch.backends.cuda.matmul.allow_tf32 = precision == "tf32"
        dtype = dtypes[precision]
        a, b = ((torch.rand(args.n, args.n, device="cuda", generator=generator) * 2 - 1).to(dtype) for _ in range(2))
        out = torch.empty(args.n, args.n, device="cuda", dtype=dtype)
        time_batch_ms(a, b, out, 3)  # warm-up: cuBLAS handle, heuristics, clocks
        inner = auto_inner(a, b, out)
        per_gemm_ms = [time_batch_ms(a, b, out, inner) / inner for _ in range(args.reps)]
        median_ms = statistics.median(per_gemm_ms)
        print(json.dumps({"n": args.n, "precision": precision, "reps": args.reps, "inner": inner,
                          "median_ms": median_ms, "min_ms": min(per_gemm_ms), "max_ms": max(per_gemm_ms),
                          "tflops": 2 * args.n**3 / (median_ms * 1e-3) / 1e12, "gpu": torch.cuda.get_device_name(),
                          "torch": torch.__version__, "cuda": torch.version.cuda,
                          "blas": str(torch.backends.cuda.preferred_blas_library())}), flush=True)


if __name__ == "__main__":
    main()
