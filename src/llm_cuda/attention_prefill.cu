// Causal prefill attention, flash-attention style: a block takes 64 query tokens of one head (16
// per warp), streams that head's KV-cache keys 0 .. its last query's position through shared memory
// in double-buffered 64-key tiles, and keeps scores, softmax state and output in registers.
#include "llm_cuda/attention_launch.hpp"
#include "llm_cuda/attention_tile.cuh"

namespace sb::llm::kernels::attention {
namespace {

constexpr int kBlockQueries = kWarps * 16;

template <int D>
__global__ void __launch_bounds__(kThreads, 3) prefill_kernel(const bf16* __restrict__ q, const bf16* __restrict__ k_cache,
                                                           const bf16* __restrict__ v_cache, bf16* __restrict__ out,
                                                           AttentionShape shape, int new_tokens, int start_position) {
  extern __shared__ __align__(16) unsigned char shared_bytes[];
  bf16* tiles = reinterpret_cast<bf16*>(shared_bytes);

  // The longest query tiles (most keys) are scheduled first, so that short ones fill the tail.
  const int query_tile = gridDim.x - 1 - blockIdx.x;
  const int head = blockIdx.y;
  const int sequence = blockIdx.z;
  const int kv_head = head / (shape.num_heads / shape.num_kv_heads);
  const int warp = threadIdx.x / 32;
  const int lane = threadIdx.x % 32;
  const int group = lane / 4;

  const int first_token = query_tile * kBlockQueries;
  const int last_token = min(first_token + kBlockQueries, new_tokens) - 1;
  const int context = start_position + last_token + 1;  // keys this block needs
  const int tiles_needed = (context + kTileKeys - 1) / kTileKeys;

  const std::int64_t q_row_stride = static_cast<std::int64_t>(shape.num_heads) * D;
  const int warp_token = first_token + warp * 16;
  const int token_low = warp_token + group;
  const int token_high = token_low + 8;
  const bf16* q_head = q + static_cast<std::int64_t>(sequence) * new_tokens * q_row_stride + head * D;
  WarpAttention<D> state;
  state.start(token_low < new_tokens ? q_head + token_low * q_row_stride : nullptr,
              token_high < new_tokens ? q_head + token_high * q_row_stride : nullptr);
  const int position_low = start_position + token_low;
  const int position_high = start_position + token_high;

  const std::int64_t key_stride = static_cast<std::int64_t>(shape.num_kv_heads) * D;
  const std::int64_t kv_offset = static_cast<std::int64_t>(sequence) * shape.capacity * key_stride + kv_head * D;
  const bf16* k = k_cache + kv_offset;
  const bf16* v = v_cache + kv_offset;
  const float score_scale = shape.scale * kLog2e;
  // Tiles wholly at or before the block's first query position need no causal mask.
  const int first_position = start_position + first_token;

  load_tile_async<D>(tiles, tiles + kTileElements<D>, k, v, key_stride, 0, context);
  commit_async_copies();
  for (int t = 0; t < tiles_needed; ++t) {
    if (t + 1 < tiles_needed) {
      bf16* next = tiles + ((t + 1) % 2) * 2 * kTileElements<D>;
      load_tile_async<D>(next, next + kTileElements<D>, k, v, key_stride, (t + 1) * kTileKeys, context);
    }
    commit_async_copies();
    wait_async_copies<1>();
    __syncthreads();

    const bf16* k_tile = tiles + (t % 2) * 2 * kTileElements<D>;
    const int tile_start = t * kTileKeys;
    if (tile_start + kTileKeys - 1 <= first_position) {
      state.template attend<kTileKeys>(k_tile, k_tile + kTileElements<D>, score_scale,
                                       [](int, int) { return false; });
    } else {
      state.template attend<kTileKeys>(k_tile, k_tile + kTileElements<D>, score_scale, [&](int half, int key) {
        return tile_start + key > (half ? position_high : position_low);
      });
    }
    __syncthreads();  // the next iteration's copy overwrites this tile
  }

  const int quad = lane % 4;
#pragma unroll
  for (int half = 0; half < 2; ++half) {
    const int token = half ? token_high : token_low;
    const float inverse_sum = 1.f / state.row_sum(half);
    if (token >= new_tokens) continue;
    bf16* row = out + (static_cast<std::int64_t>(sequence) * new_tokens + token) * q_row_stride + head * D;
#pragma unroll
    for (int dt = 0; dt < D / 8; ++dt) {
      *reinterpret_cast<__nv_bfloat162*>(row + dt * 8 + 2 * quad) =
          __floats2bfloat162_rn(state.o[dt][2 * half] * inverse_sum, state.o[dt][2 * half + 1] * inverse_sum);
    }
  }
}

template <int D>
cudaError_t launch(const bf16* q, const bf16* k_cache, const bf16* v_cache, bf16* out, const AttentionShape& shape,
                   int new_tokens, int start_position, cudaStream_t stream) {
  // Set on every launch rather than once: the attribute belongs to the current device.
  if (cudaError_t e = cudaFuncSetAttribute(prefill_kernel<D>, cudaFuncAttributeMaxDynamicSharedMemorySize,
                                           kStagedTileBytes<D>);
      e != cudaSuccess)
    return e;
  const dim3 grid((new_tokens + kBlockQueries - 1) / kBlockQueries, shape.num_heads, shape.batch);
  prefill_kernel<D><<<grid, kThreads, kStagedTileBytes<D>, stream>>>(q, k_cache, v_cache, out, shape, new_tokens,
                                                                      start_position);
  return cudaGetLastError();
}

}  // namespace

cudaError_t launch_prefill(const bf16* q, const bf16* k_cache, const bf16* v_cache, bf16* out,
                           const AttentionShape& shape, int new_tokens, int start_position, cudaStream_t stream) {
  switch (shape.head_dim) {
    case 32: return launch<32>(q, k_cache, v_cache, out, shape, new_tokens, start_position, stream);
    case 64: return launch<64>(q, k_cache, v_cache, out, shape, new_tokens, start_position, stream);
    default: return launch<128>(q, k_cache, v_cache, out, shape, new_tokens, start_position, stream);
  }
}

}  // namespace sb::llm::kernels::attention
