// RoPE for the queries and keys of the fused q/k/v projection, and the keys' and values' move into
// the KV cache: one thread per rotated pair or copied value; a token row is spread over blockIdx.y
// (for Llama 3.1 8B, 3584 items: 14 blocks), so that a decode step's single row is not one block's
// serial loop.
#include <algorithm>

#include "llm_cuda/kernel_launches.hpp"
#include "llm_cuda/kernel_support.cuh"

namespace sb::llm::kernels {
namespace {

// Pair (x[i], x[i + half]) rotated by `angle` ("rotate_half", as Hugging Face's Llama).
__device__ __forceinline__ void rotate(const bf16* in, bf16* out, int i, int half, float angle) {
  float sin, cos;
  sincosf(angle, &sin, &cos);
  const float a = __bfloat162float(in[i]);
  const float b = __bfloat162float(in[i + half]);
  out[i] = __float2bfloat16_rn(a * cos - b * sin);
  out[i + half] = __float2bfloat16_rn(b * cos + a * sin);
}

// Row r is token t = r % new_tokens of sequence r / new_tokens, at position start + t, where start
// is *device_start when given (decode: the graph reads it at replay) and host_start otherwise.
__global__ void rope_and_store_kv_kernel(const bf16* __restrict__ qkv, const float* __restrict__ inv_freq,
                                         bf16* __restrict__ q_out, bf16* __restrict__ k_cache,
                                         bf16* __restrict__ v_cache, AttentionShape shape, int new_tokens,
                                         int host_start, const int* __restrict__ device_start) {
  let_next_kernel_start();
  wait_for_previous_kernel();
  const int row = blockIdx.x;
  const int sequence = row / new_tokens;
  const int position = (device_start ? *device_start : host_start) + row % new_tokens;
  const int head_dim = shape.head_dim;
  const int half = head_dim / 2;
  const int q_dim = shape.num_heads * head_dim;
  const int kv_dim = shape.num_kv_heads * head_dim;
  const bf16* in = qkv + static_cast<std::int64_t>(row) * (q_dim + 2 * kv_dim);
  const std::int64_t cache_row = (static_cast<std::int64_t>(sequence) * shape.capacity + position) * kv_dim;

  const int q_pairs = shape.num_heads * half;
  const int k_pairs = shape.num_kv_heads * half;
  for (int item = blockIdx.y * blockDim.x + threadIdx.x; item < q_pairs + k_pairs + kv_dim;
       item += gridDim.y * blockDim.x) {
    if (item < q_pairs) {
      const int head = item / half, i = item % half;
      rotate(in + head * head_dim, q_out + static_cast<std::int64_t>(row) * q_dim + head * head_dim, i, half,
             static_cast<float>(position) * inv_freq[i]);
    } else if (item < q_pairs + k_pairs) {
      const int head = (item - q_pairs) / half, i = (item - q_pairs) % half;
      rotate(in + q_dim + head * head_dim, k_cache + cache_row + head * head_dim, i, half,
             static_cast<float>(position) * inv_freq[i]);
    } else {
      const int i = item - q_pairs - k_pairs;
      v_cache[cache_row + i] = in[q_dim + kv_dim + i];
    }
  }
}

}  // namespace

cudaError_t launch::rope_and_store_kv(const bf16* qkv, const float* inv_freq, bf16* q_out, bf16* k_cache, bf16* v_cache,
                                      const AttentionShape& shape, int new_tokens, int host_start,
                                      const int* device_start, cudaStream_t stream) {
  constexpr int kThreads = 256;
  const int items = shape.num_heads * shape.head_dim / 2 + shape.num_kv_heads * shape.head_dim / 2 +
                    shape.num_kv_heads * shape.head_dim;
  const dim3 grid(shape.batch * new_tokens, std::min((items + kThreads - 1) / kThreads, 64));
  return launch_overlapping(rope_and_store_kv_kernel, grid, kThreads, stream, qkv, inv_freq, q_out, k_cache, v_cache,
                            shape, new_tokens, host_start, device_start);
}

}  // namespace sb::llm::kernels
