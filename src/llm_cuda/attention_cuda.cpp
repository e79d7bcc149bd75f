// The attention launchers of kernels.hpp: argument checks and CUDA errors as sb::Error; the
// kernels themselves are in attention_prefill.cu and attention_decode.cu.
#include <algorithm>

#include <fmt/format.h>

#include "core/cuda_status.hpp"
#include "core/error.hpp"
#include "llm_cuda/attention_launch.hpp"
#include "llm_cuda/kernels.hpp"

namespace sb::llm::kernels {
namespace {

void check_shape(const AttentionShape& s, const char* launcher) {
  if (s.head_dim != 32 && s.head_dim != 64 && s.head_dim != 128)
    throw Error(fmt::format("{}: head_dim {} is not supported", launcher, s.head_dim),
                "the CUDA attention kernels support head_dim 32, 64 and 128; run this model with the CPU engine");
  if (s.batch < 1 || s.num_kv_heads < 1 || s.num_heads < s.num_kv_heads || s.num_heads % s.num_kv_heads != 0 ||
      s.capacity < 1 || !(s.scale > 0))
    throw Error(fmt::format("{}: inconsistent shape (batch {}, {} heads, {} KV heads, capacity {}, scale {})", launcher,
                            s.batch, s.num_heads, s.num_kv_heads, s.capacity, s.scale),
                "num_heads must be a positive multiple of num_kv_heads, batch and capacity positive, scale > 0");
}

}  // namespace

void attention_prefill(const bf16* q, const bf16* k_cache, const bf16* v_cache, bf16* out, const AttentionShape& shape,
                       int new_tokens, int start_position, cudaStream_t stream) {
  check_shape(shape, "attention_prefill");
  if (new_tokens < 1 || start_position < 0 || start_position + new_tokens > shape.capacity)
    throw Error(fmt::format("attention_prefill: {} tokens from position {} do not fit a KV cache of {} positions",
                            new_tokens, start_position, shape.capacity),
                "allocate the KV cache for the prompt plus the generated tokens (max_tokens_per_sequence)");
  SB_CUDA_CHECK(attention::launch_prefill(q, k_cache, v_cache, out, shape, new_tokens, start_position, stream));
}

std::size_t attention_decode_workspace_bytes(const AttentionShape& shape, int num_splits) {
  // Per (sequence, head, split): maximum, sum and head_dim outputs, fp32 (attention_decode.cu).
  return static_cast<std::size_t>(shape.batch) * shape.num_heads * num_splits * (shape.head_dim + 2) * sizeof(float);
}

int attention_decode_splits(const AttentionShape& shape, int sm_count) {
  // About four blocks per SM (three are resident at head_dim 128), but no split shorter than a
  // tile: a longer chunk costs nothing once the SMs are busy, a shorter one only adds partials.
  const int blocks_without_splits = shape.batch * shape.num_kv_heads * attention::decode_head_groups(shape);
  const int wanted = (4 * sm_count + blocks_without_splits - 1) / blocks_without_splits;
  return std::clamp(wanted, 1, std::max(1, shape.capacity / attention::kTileKeys));
}

void attention_decode(const bf16* q, const bf16* k_cache, const bf16* v_cache, bf16* out, const AttentionShape& shape,
                      const int* position, int num_splits, void* workspace, cudaStream_t stream) {
  check_shape(shape, "attention_decode");
  if (num_splits < 1 || workspace == nullptr || position == nullptr)
    throw Error(fmt::format("attention_decode: num_splits {} with {} workspace and {} position", num_splits,
                            workspace ? "a" : "no", position ? "a" : "no"),
                "pass num_splits >= 1 (attention_decode_splits), a workspace of attention_decode_workspace_bytes "
                "and the device address of the position");
  SB_CUDA_CHECK(
      attention::launch_decode(q, k_cache, v_cache, out, shape, position, num_splits, workspace, stream));
}

}  // namespace sb::llm::kernels
