#pragma once
// How much device memory a request needs, estimated before allocating anything, so that a request
// that cannot fit fails at once with the numbers and what to change.
//
//   weights      parameter_count x bytes per element
//   KV cache     2 (K and V) x layers x kv_heads x head_dim x (prompt + generated) x batch x bytes
//   activations  the largest live set, during prefill (of prefill_chunk_tokens): per token the
//                residual stream, its normed copy, Q, K, V, the attention output and the MLP's
//                gate and up (2 x hidden + q_dim + 2 x kv_dim + q_dim + 2 x intermediate values);
//                attention is flash-style (no prompt x prompt score matrix). Plus fp32 logits for
//                the last position of every sequence.
//   workspace    a fixed allowance for GEMM libraries (cuBLASLt asks for up to 32 MiB on Hopper)
//                and the engine's small buffers.
#include <cstdint>
#include <string>

#include "llm/model_config.hpp"

namespace sb::llm {

struct InferenceRequest {
  std::int64_t batch = 1;
  std::int64_t prompt_tokens = 0;
  std::int64_t generated_tokens = 0;
  // Tokens the engine prefills in one pass; 0: the whole batch's prompts at once.
  std::int64_t prefill_chunk_tokens = 0;
  std::int64_t tokens_per_sequence() const { return prompt_tokens + generated_tokens; }
};

struct MemoryPlan {
  std::int64_t weight_bytes = 0;
  std::int64_t kv_cache_bytes = 0;
  std::int64_t activation_bytes = 0;
  std::int64_t workspace_bytes = 0;
  std::int64_t total_bytes() const { return weight_bytes + kv_cache_bytes + activation_bytes + workspace_bytes; }
};

inline constexpr std::int64_t kWorkspaceBytes = 64LL << 20;

// Bytes of K and V for every layer of one token of one sequence.
std::int64_t kv_bytes_per_token(const ModelConfig& c, DType kv_dtype);

// `dtype` is the engine's dtype for weights, activations and the KV cache (bf16 for the CUDA
// engine). Throws sb::Error for a request with a non-positive batch or prompt, or longer than the
// model's max_position_embeddings.
MemoryPlan plan_memory(const ModelConfig& c, DType dtype, const InferenceRequest& r);

// Throws sb::Error when `plan` exceeds `available_bytes`, with every term in GiB and what would
// fit: the largest batch at this length, the longest sequence at this batch, or, when the weights
// alone do not fit, a smaller model. `device` names the memory in the message ("H100 80GB").
void require_fits(const MemoryPlan& plan, const ModelConfig& c, DType dtype, const InferenceRequest& r,
                  std::int64_t available_bytes, const std::string& device);

}  // namespace sb::llm
