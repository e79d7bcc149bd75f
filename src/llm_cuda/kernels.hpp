#pragma once
// The CUDA engine's kernels, one idea each, as host-side launchers on a stream. Each launcher checks
// its launch (cudaGetLastError through SB_CUDA_CHECK) and throws sb::Error on failure.
//
// Layouts (row-major, bf16 unless said otherwise):
//   activations   [rows, features]; in a batch of equal-length sequences, token t of sequence b is
//                 row b * tokens_per_sequence + t.
//   weights       [out_features, in_features] (Hugging Face layout); fused ones stack their parts
//                 along out_features: qkv = [q; k; v], gate_up = [gate; up].
//   KV cache      per layer, K and V each [batch, capacity, num_kv_heads, head_dim], after RoPE.
// Positions that change every decode step are read from device memory (`const int* position`), so
// that a captured CUDA graph can be replayed step after step unchanged.
// head_dim is 32, 64 or 128 (the launchers throw sb::Error naming the value otherwise).
#include <cstdint>

#include <cuda_bf16.h>
#include <cuda_runtime_api.h>

namespace sb::llm::kernels {

using bf16 = __nv_bfloat16;

struct AttentionShape {
  int batch = 1;
  int num_heads = 0;     // query heads
  int num_kv_heads = 0;  // num_heads / num_kv_heads query heads share one KV head (GQA)
  int head_dim = 0;
  int capacity = 0;      // positions per sequence in the KV cache
  float scale = 0;       // 1 / sqrt(head_dim)
};

// Causal attention of `new_tokens` queries per sequence at positions start_position ..
// start_position + new_tokens - 1 (their K and V already stored in the cache) over the cache
// positions 0 .. their own. q: [batch * new_tokens, num_heads * head_dim]; out: same shape.
// Flash-style: scores live in registers/shared memory with an online softmax, never as a
// [new_tokens, context] matrix in global memory.
void attention_prefill(const bf16* q, const bf16* k_cache, const bf16* v_cache, bf16* out, const AttentionShape& shape,
                       int new_tokens, int start_position, cudaStream_t stream);

// One query per sequence at *position (its K and V already stored), over cache positions
// 0 .. *position. q, out: [batch, num_heads * head_dim]. Split-K: the context is cut into
// `num_splits` chunks processed by separate blocks (partial max, sum and output in `workspace`),
// then combined; the query heads of one KV head are processed together so K and V are read once.
// `num_splits` is fixed when a graph is captured; chunks past *position do nothing.
std::size_t attention_decode_workspace_bytes(const AttentionShape& shape, int num_splits);
int attention_decode_splits(const AttentionShape& shape, int sm_count);  // a good num_splits for capacity
void attention_decode(const bf16* q, const bf16* k_cache, const bf16* v_cache, bf16* out, const AttentionShape& shape,
                      const int* position, int num_splits, void* workspace, cudaStream_t stream);

}  // namespace sb::llm::kernels
