// Embedding lookup: one block per token copies its row of the embedding table.
#include "llm_cuda/kernel_launches.hpp"
#include "llm_cuda/kernel_support.cuh"

namespace sb::llm::kernels {
namespace {

__global__ void embed_tokens_kernel(const std::int32_t* __restrict__ tokens, const uint4* __restrict__ embedding,
                                    int vectors_per_row, uint4* __restrict__ out) {
  let_next_kernel_start();
  wait_for_previous_kernel();
  const std::int64_t token = tokens[blockIdx.x];
  const uint4* src = embedding + token * vectors_per_row;
  uint4* dst = out + static_cast<std::int64_t>(blockIdx.x) * vectors_per_row;
  for (int i = threadIdx.x; i < vectors_per_row; i += blockDim.x) dst[i] = src[i];
}

}  // namespace

cudaError_t launch::embed_tokens(const std::int32_t* tokens, int rows, const bf16* embedding, int hidden, bf16* out,
                                 cudaStream_t stream) {
  return launch_overlapping(embed_tokens_kernel, rows, 128, stream, tokens, reinterpret_cast<const uint4*>(embedding),
                            hidden / 8, reinterpret_cast<uint4*>(out));
}

}  // namespace sb::llm::kernels
