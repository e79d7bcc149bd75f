#pragma once
// What the engine's kernels share: 8 bf16 values in one 16-byte vector, warp and block sums, and
// launches that overlap the previous kernel's tail.
// Included by the .cu files only.
#include <cstdint>

#include <cuda_bf16.h>
#include <cuda_runtime.h>

namespace sb::llm::kernels {

// 16 bytes, the widest load a thread can issue: 8 bf16 values.
union Bf16x8 {
  uint4 bits;
  __nv_bfloat162 pairs[4];
};

__device__ __forceinline__ void unpack(uint4 bits, float (&f)[8]) {
  Bf16x8 v;
  v.bits = bits;
#pragma unroll
  for (int i = 0; i < 4; ++i) {
    const float2 p = __bfloat1622float2(v.pairs[i]);
    f[2 * i] = p.x;
    f[2 * i + 1] = p.y;
  }
}

__device__ __forceinline__ uint4 pack(const float (&f)[8]) {
  Bf16x8 v;
#pragma unroll
  for (int i = 0; i < 4; ++i) v.pairs[i] = __floats2bfloat162_rn(f[2 * i], f[2 * i + 1]);
  return v.bits;
}

__device__ __forceinline__ float warp_sum(float v) {
#pragma unroll
  for (int offset = 16; offset > 0; offset >>= 1) v += __shfl_xor_sync(0xffffffffu, v, offset);
  return v;
}

// The sum of `v` over the block (blockDim.x a multiple of 32), returned to every thread.
__device__ __forceinline__ float block_sum(float v) {
  __shared__ float partial[32];
  const int lane = threadIdx.x & 31;
  const int warp = threadIdx.x >> 5;
  v = warp_sum(v);
  if (lane == 0) partial[warp] = v;
  __syncthreads();
  v = threadIdx.x < blockDim.x / 32 ? partial[threadIdx.x] : 0.0f;
  if (warp == 0) v = warp_sum(v);
  if (threadIdx.x == 0) partial[0] = v;
  __syncthreads();
  return partial[0];
}

// ---- Programmatic dependent launch (compute capability 9.0 and later) ----
// Inside a decode step a few hundred kernels follow one another; launched normally, each waits for
// the previous one to finish and drain before its first block starts. Launched with
// launch_overlapping, a kernel's blocks may start while the previous kernel's last blocks still
// run (once those have all called let_next_kernel_start): it does what does not depend on the
// previous kernel (a GEMV prefetches its weight) and then waits for it to complete, memory included,
// in wait_for_previous_kernel. Every kernel launched this way calls wait_for_previous_kernel in every
// thread before touching memory another kernel writes: the completion of a kernel then implies the
// completion of everything before it. On older GPUs both are no-ops and launches serialise as usual.
__device__ __forceinline__ void let_next_kernel_start() {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
  asm volatile("griddepcontrol.launch_dependents;" ::: "memory");
#endif
}

__device__ __forceinline__ void wait_for_previous_kernel() {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
  asm volatile("griddepcontrol.wait;" ::: "memory");
#endif
}

template <class... Params, class... Args>
cudaError_t launch_overlapping(void (*kernel)(Params...), dim3 grid, dim3 block, cudaStream_t stream, Args... args) {
  cudaLaunchAttribute overlap{};
  overlap.id = cudaLaunchAttributeProgrammaticStreamSerialization;
  overlap.val.programmaticStreamSerializationAllowed = 1;
  cudaLaunchConfig_t config{};
  config.gridDim = grid;
  config.blockDim = block;
  config.dynamicSmemBytes = 0;
  config.stream = stream;
  config.attrs = &overlap;
  config.numAttrs = 1;
  return cudaLaunchKernelEx(&config, kernel, static_cast<Params>(args)...);
}

}  // namespace sb::llm::kernels
