#pragma once
// Between the attention kernels (attention_prefill.cu, attention_decode.cu: device code, compiled
// by nvcc) and their public launchers in kernels.hpp (attention_cuda.cpp: validation and errors,
// compiled by the host compiler; nvcc cannot compile fmt's compile-time format checks in C++20).
// Each function here launches with arguments already validated and returns the first CUDA error.
#include <cuda_runtime_api.h>

#include "llm_cuda/kernels.hpp"

namespace sb::llm::kernels::attention {

constexpr int kTileKeys = 64;       // keys per shared-memory tile, and the unit of a decode split
constexpr int kHeadsPerBlock = 16;  // query heads of one KV head that a decode block serves (MMA rows)

inline int decode_head_groups(const AttentionShape& s) {
  return (s.num_heads / s.num_kv_heads + kHeadsPerBlock - 1) / kHeadsPerBlock;
}

cudaError_t launch_prefill(const bf16* q, const bf16* k_cache, const bf16* v_cache, bf16* out,
                           const AttentionShape& shape, int new_tokens, int start_position, cudaStream_t stream);

cudaError_t launch_decode(const bf16* q, const bf16* k_cache, const bf16* v_cache, bf16* out,
                          const AttentionShape& shape, const int* position, int num_splits, void* workspace,
                          cudaStream_t stream);

}  // namespace sb::llm::kernels::attention
