// The public launchers of the engine's kernels (kernels.hpp, all but attention): argument checks,
// then the launch (kernel_launches.hpp), whose CUDA error becomes an sb::Error.
#include <cstdint>

#include <fmt/format.h>

#include "core/cuda_status.hpp"
#include "core/error.hpp"
#include "llm_cuda/kernel_launches.hpp"
#include "llm_cuda/kernels.hpp"

namespace sb::llm::kernels {
namespace {

// The kernels read and write 8 bf16 at a time: counts must be multiples of 8, pointers 16-byte aligned.
void require_vectorisable(const char* kernel, const char* what, std::int64_t count) {
  if (count % 8 != 0) {
    throw Error(fmt::format("{}: {} is {}, not a multiple of 8", kernel, what, count),
                "the CUDA engine supports models whose hidden and intermediate sizes are multiples of 8");
  }
}

void require_aligned(const char* kernel, const char* what, const void* p) {
  if (reinterpret_cast<std::uintptr_t>(p) % 16 != 0) {
    throw Error(fmt::format("{}: {} is not 16-byte aligned", kernel, what),
                "pass buffers from cudaMalloc, offset by multiples of 8 bf16 elements");
  }
}

void check_rope_shape(const AttentionShape& shape) {
  if (shape.head_dim <= 0 || shape.head_dim % 2 != 0 || shape.num_heads <= 0 || shape.num_kv_heads <= 0 ||
      shape.batch <= 0) {
    throw Error(fmt::format("rope_and_store_kv: head_dim {} with {} heads, {} KV heads, batch {}", shape.head_dim,
                            shape.num_heads, shape.num_kv_heads, shape.batch),
                "RoPE needs an even head_dim, at least one head and one sequence (check the model config)");
  }
}

template <class Out>
void check_gemv(const bf16* weight, int k, const bf16* x, std::int64_t x_row_stride, int rows, const Out* out) {
  if (rows < 1 || rows > kGemvMaxRows) {
    throw Error(fmt::format("gemv: {} rows; the GEMV kernel handles 1 to {}", rows, kGemvMaxRows),
                "use cuBLAS (decode_gemm \"cublas\" or \"auto\") for larger batches");
  }
  require_vectorisable("gemv", "k", k);
  require_vectorisable("gemv", "x_row_stride", x_row_stride);
  require_aligned("gemv", "weight", weight);
  require_aligned("gemv", "x", x);
  (void)out;  // written element by element: any alignment
}

}  // namespace

void embed_tokens(const std::int32_t* tokens, int rows, const bf16* embedding, int hidden, bf16* out,
                  cudaStream_t stream) {
  require_vectorisable("embed_tokens", "hidden", hidden);
  require_aligned("embed_tokens", "embedding", embedding);
  require_aligned("embed_tokens", "out", out);
  if (rows > 0) SB_CUDA_CHECK(launch::embed_tokens(tokens, rows, embedding, hidden, out, stream));
}

void rms_norm(const bf16* x, std::int64_t x_row_stride, const bf16* weight, int rows, int hidden, float eps, bf16* out,
              cudaStream_t stream) {
  require_vectorisable("rms_norm", "hidden", hidden);
  require_vectorisable("rms_norm", "x_row_stride", x_row_stride);
  require_aligned("rms_norm", "x", x);
  require_aligned("rms_norm", "weight", weight);
  require_aligned("rms_norm", "out", out);
  if (rows > 0) SB_CUDA_CHECK(launch::rms_norm(x, x_row_stride, weight, rows, hidden, eps, out, stream));
}

void add_bias(bf16* x, const bf16* bias, int rows, int features, cudaStream_t stream) {
  if (rows > 0 && features > 0) SB_CUDA_CHECK(launch::add_bias(x, bias, rows, features, stream));
}

void rope_and_store_kv(const bf16* qkv, const float* inv_freq, bf16* q_out, bf16* k_cache, bf16* v_cache,
                       const AttentionShape& shape, int new_tokens, int start_position, cudaStream_t stream) {
  check_rope_shape(shape);
  if (start_position < 0 || new_tokens <= 0 || start_position + new_tokens > shape.capacity) {
    throw Error(fmt::format("rope_and_store_kv: positions {} .. {} do not fit a KV cache of {} positions",
                            start_position, start_position + new_tokens - 1, shape.capacity),
                "size the cache (max_tokens_per_sequence) for the prompt and every generated token");
  }
  SB_CUDA_CHECK(
      launch::rope_and_store_kv(qkv, inv_freq, q_out, k_cache, v_cache, shape, new_tokens, start_position, nullptr, stream));
}

void rope_and_store_kv_decode(const bf16* qkv, const float* inv_freq, bf16* q_out, bf16* k_cache, bf16* v_cache,
                              const AttentionShape& shape, const int* position, cudaStream_t stream) {
  check_rope_shape(shape);
  SB_CUDA_CHECK(launch::rope_and_store_kv(qkv, inv_freq, q_out, k_cache, v_cache, shape, 1, 0, position, stream));
}

void swiglu_in_place(bf16* gate_up, int rows, int intermediate, cudaStream_t stream) {
  require_vectorisable("swiglu", "intermediate", intermediate);
  require_aligned("swiglu", "gate_up", gate_up);
  if (rows > 0 && intermediate > 0) SB_CUDA_CHECK(launch::swiglu_in_place(gate_up, rows, intermediate, stream));
}

void gemv(const bf16* weight, int n, int k, const bf16* x, std::int64_t x_row_stride, int rows, bf16* out,
          bool accumulate, cudaStream_t stream) {
  check_gemv(weight, k, x, x_row_stride, rows, out);
  if (n > 0) SB_CUDA_CHECK(launch::gemv(weight, n, k, x, x_row_stride, rows, out, accumulate, stream));
}

void gemv(const bf16* weight, int n, int k, const bf16* x, std::int64_t x_row_stride, int rows, float* out,
          cudaStream_t stream) {
  check_gemv(weight, k, x, x_row_stride, rows, out);
  if (n > 0) SB_CUDA_CHECK(launch::gemv(weight, n, k, x, x_row_stride, rows, out, stream));
}

void gemv_swiglu(const bf16* gate_up_weight, int intermediate, int k, const bf16* x, std::int64_t x_row_stride,
                 int rows, bf16* gate_up, cudaStream_t stream) {
  check_gemv(gate_up_weight, k, x, x_row_stride, rows, gate_up);
  if (intermediate > 0) {
    SB_CUDA_CHECK(launch::gemv_swiglu(gate_up_weight, intermediate, k, x, x_row_stride, rows, gate_up, stream));
  }
}

void argmax(const float* logits, int rows, int vocab, ArgmaxSlot* slots, std::int32_t* tokens, int* advance_position,
            cudaStream_t stream) {
  if (vocab <= 0) throw Error(fmt::format("argmax over a vocabulary of {}", vocab), "check the model config");
  if (rows > 0) SB_CUDA_CHECK(launch::argmax(logits, rows, vocab, slots, tokens, advance_position, stream));
}

void fill_synthetic_weights(bf16* out, std::int64_t count, std::uint64_t stream_id, float offset, float scale,
                            cudaStream_t stream) {
  if (count > 0) SB_CUDA_CHECK(launch::fill_synthetic_weights(out, count, stream_id, offset, scale, stream));
}

}  // namespace sb::llm::kernels
