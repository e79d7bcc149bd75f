// Greedy sampling on the GPU. A row of 128256 logits is 501 KiB: one block reading it alone takes
// tens of microseconds (a few loads in flight per thread), so kBlocksPerRow blocks share each row.
// Every candidate is one 64-bit key, value bits ordered as unsigned above the inverted index, so the
// largest key is the largest value with the lowest index (torch.argmax's tie rule) and one atomicMax
// per warp merges the blocks. The last block of a row to finish (a counter) writes the token, leaves
// the row's slot zeroed for the next call and, for row 0, advances the decode position, so a
// captured decode step needs nothing from the host.
#include <algorithm>

#include "llm_cuda/kernel_launches.hpp"
#include "llm_cuda/kernel_support.cuh"

namespace sb::llm::kernels {
namespace {

constexpr int kThreads = 256;
constexpr int kBlocksPerRow = 32;  // 128256 logits: 16 per thread

using Key = unsigned long long;

// NaN is never a candidate; -0 counts as +0 (they compare equal, as in torch).
__device__ __forceinline__ Key key_of(float value, int index) {
  unsigned bits = __float_as_uint(value == 0.0f ? 0.0f : value);
  bits = (bits & 0x80000000u) ? ~bits : bits | 0x80000000u;  // increasing with the value
  return (static_cast<Key>(bits) << 32) | (0xFFFFFFFFu - static_cast<unsigned>(index));
}

__device__ __forceinline__ int index_of(Key key) { return static_cast<int>(0xFFFFFFFFu - static_cast<unsigned>(key)); }

__global__ void __launch_bounds__(kThreads) argmax_kernel(const float* __restrict__ logits, int vocab,
                                                          ArgmaxSlot* __restrict__ slots,
                                                          std::int32_t* __restrict__ tokens, int* advance_position) {
  let_next_kernel_start();
  wait_for_previous_kernel();
  const int row_index = blockIdx.y;
  const float* row = logits + static_cast<std::int64_t>(row_index) * vocab;
  ArgmaxSlot& slot = slots[row_index];

  Key best = 0;  // below every real key: a row of NaN gives token 0
  const int stride = gridDim.x * kThreads;
#pragma unroll 4
  for (int i = blockIdx.x * kThreads + threadIdx.x; i < vocab; i += stride) {
    const float v = __ldcs(row + i);
    if (v == v) best = max(best, key_of(v, i));
  }
#pragma unroll
  for (int offset = 16; offset > 0; offset >>= 1) best = max(best, __shfl_xor_sync(0xffffffffu, best, offset));
  if ((threadIdx.x & 31) == 0 && best != 0) atomicMax(&slot.best, best);

  __syncthreads();  // every warp's atomicMax is done before the block counts as finished
  if (threadIdx.x == 0) {
    __threadfence();
    if (atomicAdd(&slot.finished_blocks, 1u) == gridDim.x - 1) {
      const Key winner = atomicExch(&slot.best, Key{0});
      slot.finished_blocks = 0;
      tokens[row_index] = winner == 0 ? 0 : index_of(winner);
      if (advance_position && row_index == 0) ++*advance_position;
    }
  }
}

}  // namespace

cudaError_t launch::argmax(const float* logits, int rows, int vocab, ArgmaxSlot* slots, std::int32_t* tokens,
                           int* advance_position, cudaStream_t stream) {
  const int blocks_per_row = std::min(kBlocksPerRow, (vocab + kThreads - 1) / kThreads);
  return launch_overlapping(argmax_kernel, dim3(blocks_per_row, rows), kThreads, stream, logits, vocab, slots, tokens,
                            advance_position);
}

}  // namespace sb::llm::kernels
