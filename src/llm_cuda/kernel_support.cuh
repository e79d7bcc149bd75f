#pragma once
// What the engine's kernels share: 8 bf16 values in one 16-byte vector, warp and block sums.
// Included by the .cu files only.
#include <cstdint>

#include <cuda_bf16.h>

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

}  // namespace sb::llm::kernels
