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

// ---- The rest of a forward pass ----
// Feature counts (hidden, intermediate, k of a GEMV) must be multiples of 8, and the pointers 16-byte
// aligned: the kernels move 8 bf16 values per 16-byte load (the launchers throw sb::Error otherwise).

// out[r, :] = embedding[tokens[r], :] for r < rows; the token ids are valid (checked on the host or
// produced by argmax).
void embed_tokens(const std::int32_t* tokens, int rows, const bf16* embedding, int hidden, bf16* out,
                  cudaStream_t stream);

// out[r, :] = x[r, :] / sqrt(mean(x[r, :]^2) + eps) * weight (Hugging Face's LlamaRMSNorm), fp32 math,
// one block per row. Rows of x are `x_row_stride` elements apart, so that the final norm can read
// just the last position of every sequence (stride tokens * hidden); out is compact [rows, hidden].
// The residual adds that precede the norms happen in the GEMM epilogues (beta = 1), not here.
void rms_norm(const bf16* x, std::int64_t x_row_stride, const bf16* weight, int rows, int hidden, float eps, bf16* out,
              cudaStream_t stream);

// x[r, :] += bias for r < rows (the q/k/v biases of Qwen2, the o bias of Llama with attention_bias).
void add_bias(bf16* x, const bf16* bias, int rows, int features, cudaStream_t stream);

// RoPE on the output of the fused q/k/v projection, qkv: [batch * new_tokens, q_dim + 2 kv_dim], each row
// [q | k | v]. Writes the rotated queries compactly to q_out [batch * new_tokens, q_dim] and the rotated
// keys and the values into the caches (layout above). inv_freq: head_dim / 2 floats on the device (the
// llama3-scaled frequencies, computed on the host in double). Angles are computed in fp32.
// Prefill: new_tokens per sequence at positions start_position ...
void rope_and_store_kv(const bf16* qkv, const float* inv_freq, bf16* q_out, bf16* k_cache, bf16* v_cache,
                       const AttentionShape& shape, int new_tokens, int start_position, cudaStream_t stream);
// ... decode: one token per sequence at *position.
void rope_and_store_kv_decode(const bf16* qkv, const float* inv_freq, bf16* q_out, bf16* k_cache, bf16* v_cache,
                              const AttentionShape& shape, const int* position, cudaStream_t stream);

// SwiGLU in place on the fused gate/up output, gate_up: [rows, 2 * intermediate], each row [gate | up]:
// gate_up[r, i] = silu(gate[r, i]) * up[r, i] for i < intermediate. The down projection then reads
// the first half of every row (row stride 2 * intermediate), so no separate buffer is needed.
void swiglu_in_place(bf16* gate_up, int rows, int intermediate, cudaStream_t stream);

// The decode GEMM for a few rows: out[r, j] = sum_i weight[j, i] * x[r, i] for r < rows, j < n,
// weight [n, k] row-major (a Hugging Face projection), x rows `x_row_stride` elements apart, out
// compact [rows, n]. A warp per output feature streams that weight row once with 16-byte loads for
// all rows; fp32 accumulation. `accumulate`: out += (the residual add, as cuBLAS with beta = 1).
// The GEMV starts reading its weight before the kernel launched just before it on the stream has
// finished (programmatic dependent launch): that kernel must not write the weight.
inline constexpr int kGemvMaxRows = 8;
void gemv(const bf16* weight, int n, int k, const bf16* x, std::int64_t x_row_stride, int rows, bf16* out,
          bool accumulate, cudaStream_t stream);
void gemv(const bf16* weight, int n, int k, const bf16* x, std::int64_t x_row_stride, int rows, float* out,
          cudaStream_t stream);  // fp32 out: the logits
// The gate/up projection and SwiGLU in one pass: gate_up_weight [2 * intermediate, k] = [gate; up];
// gate_up [rows, 2 * intermediate] gets in its first half of every row what gemv into gate_up followed
// by swiglu_in_place leaves there, bit for bit (the second half is not written). One warp reads the
// gate and the up row of a feature together, so the [rows, 2 * intermediate] product is never stored.
void gemv_swiglu(const bf16* gate_up_weight, int intermediate, int k, const bf16* x, std::int64_t x_row_stride,
                 int rows, bf16* gate_up, cudaStream_t stream);

// tokens[r] = the index of the largest of logits[r, 0 .. vocab) (the lowest such index on ties, as
// torch.argmax; NaN logits are skipped, a row of NaN gives 0). When advance_position is not null, also
// ++*advance_position: the decode step that produced these logits is done, the next one feeds the new
// tokens at the next position. Several blocks share a row and meet in `slots` (one per row), which
// must be zeroed (cudaMemset) before the first call and are left zeroed by every call; calls that
// share slots must not run concurrently.
struct ArgmaxSlot {
  unsigned long long best;
  unsigned finished_blocks;
};
void argmax(const float* logits, int rows, int vocab, ArgmaxSlot* slots, std::int32_t* tokens, int* advance_position,
            cudaStream_t stream);

// out[i] = bf16(synthetic::weight(offset, scale, stream_id, i)) for i < count (llm/synthetic_generator.hpp):
// bit for bit the host's synthetic weights rounded to bf16.
void fill_synthetic_weights(bf16* out, std::int64_t count, std::uint64_t stream_id, float offset, float scale,
                            cudaStream_t stream);

}  // namespace sb::llm::kernels
