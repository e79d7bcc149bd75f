// Greedy sampling on the GPU: one block per row scans the vocabulary, keeping the first index of
// the largest value (torch.argmax's tie rule), then advances the decode position, so a captured
// decode step needs nothing from the host.
#include <cfloat>
#include <climits>

#include "llm_cuda/kernel_launches.hpp"

namespace sb::llm::kernels {
namespace {

constexpr int kThreads = 1024;

struct Best {
  float value;
  int index;
};

__device__ __forceinline__ Best better(Best a, Best b) {
  return (b.value > a.value || (b.value == a.value && b.index < a.index)) ? b : a;
}

__device__ __forceinline__ Best warp_best(Best b) {
#pragma unroll
  for (int offset = 16; offset > 0; offset >>= 1) {
    b = better(b, Best{__shfl_xor_sync(0xffffffffu, b.value, offset), __shfl_xor_sync(0xffffffffu, b.index, offset)});
  }
  return b;
}

__global__ void __launch_bounds__(kThreads) argmax_kernel(const float* __restrict__ logits, int vocab,
                                                          std::int32_t* __restrict__ tokens, int* advance_position) {
  __shared__ Best partial[kThreads / 32];
  const float* row = logits + static_cast<std::int64_t>(blockIdx.x) * vocab;
  // Each thread visits increasing indices, so a strict > keeps its first maximum.
  Best best{-FLT_MAX, INT_MAX};
  for (int i = threadIdx.x; i < vocab; i += kThreads) {
    const float v = row[i];
    if (v > best.value || (v == best.value && i < best.index)) best = Best{v, i};
  }
  best = warp_best(best);
  if ((threadIdx.x & 31) == 0) partial[threadIdx.x / 32] = best;
  __syncthreads();
  if (threadIdx.x < 32) {
    best = warp_best(partial[threadIdx.x]);
    if (threadIdx.x == 0) {
      // INT_MAX: every logit was NaN; token 0 keeps the next step's embedding lookup in range.
      tokens[blockIdx.x] = best.index == INT_MAX ? 0 : best.index;
      if (advance_position && blockIdx.x == 0) ++*advance_position;
    }
  }
}

}  // namespace

cudaError_t launch::argmax(const float* logits, int rows, int vocab, std::int32_t* tokens, int* advance_position,
                           cudaStream_t stream) {
  argmax_kernel<<<rows, kThreads, 0, stream>>>(logits, vocab, tokens, advance_position);
  return cudaGetLastError();
}

}  // namespace sb::llm::kernels
