// Decode attention, flash-decoding style. Pass 1: a block per (sequence, KV head, up to 16 of its
// query heads, split) streams its chunk of the cache through shared memory once for all those query
// heads (they are the 16 MMA rows), each warp taking 16 keys of every 64-key tile with its own
// online softmax; the four warps merge, and the block writes the split's maximum, sum and
// unnormalised output. Pass 2 combines the splits of each (sequence, head).
#include <algorithm>

#include "llm_cuda/attention_launch.hpp"
#include "llm_cuda/attention_tile.cuh"

namespace sb::llm::kernels::attention {
namespace {

// The workspace: per (sequence, head, split) the maximum score (log2 domain), the sum of exp2 and
// the unnormalised output; an empty split has maximum -inf and sum 0 (its output is not read).
// attention_decode_workspace_bytes (attention_cuda.cpp) sizes it.
struct Partials {
  float* max;
  float* sum;
  float* out;

  __host__ __device__ static Partials in(void* workspace, const AttentionShape& s, int splits) {
    const std::int64_t count = static_cast<std::int64_t>(s.batch) * s.num_heads * splits;
    float* base = static_cast<float*>(workspace);
    return {base, base + count, base + 2 * count};
  }
};

// The four warps' states, for their merge (reuses the tiles' shared memory).
template <int D>
struct WarpPartials {
  float max[kWarps][kHeadsPerBlock];
  float sum[kWarps][kHeadsPerBlock];
  float out[kWarps][kHeadsPerBlock][D];
};

template <int D>
constexpr int kDecodeSharedBytes = std::max<int>(kStagedTileBytes<D>, sizeof(WarpPartials<D>));

template <int D>
__global__ void __launch_bounds__(kThreads) decode_split_kernel(const bf16* __restrict__ q,
                                                                const bf16* __restrict__ k_cache,
                                                                const bf16* __restrict__ v_cache,
                                                                AttentionShape shape, const int* __restrict__ position,
                                                                int splits, void* workspace) {
  extern __shared__ __align__(16) unsigned char shared_bytes[];
  bf16* tiles = reinterpret_cast<bf16*>(shared_bytes);

  const int groups = (shape.num_heads / shape.num_kv_heads + kHeadsPerBlock - 1) / kHeadsPerBlock;
  const int head_group = blockIdx.x % groups;
  const int kv_head = (blockIdx.x / groups) % shape.num_kv_heads;
  const int sequence = blockIdx.x / groups / shape.num_kv_heads;
  const int split = blockIdx.y;
  const int group_size = shape.num_heads / shape.num_kv_heads;
  const int first_head = kv_head * group_size + head_group * kHeadsPerBlock;
  const int heads_here = min(kHeadsPerBlock, group_size - head_group * kHeadsPerBlock);

  // Chunks are whole tiles; a position past the cache is clamped to it rather than read beyond.
  const int context = min(*position, shape.capacity - 1) + 1;
  const int tiles_total = (context + kTileKeys - 1) / kTileKeys;
  const int tiles_per_split = (tiles_total + splits - 1) / splits;
  const int begin = split * tiles_per_split * kTileKeys;
  const int end = min(begin + tiles_per_split * kTileKeys, context);

  const Partials partials = Partials::in(workspace, shape, splits);
  const std::int64_t partial_base = (static_cast<std::int64_t>(sequence) * shape.num_heads + first_head) * splits + split;
  if (begin >= end) {
    if (threadIdx.x < heads_here) {
      partials.max[partial_base + threadIdx.x * splits] = -INFINITY;
      partials.sum[partial_base + threadIdx.x * splits] = 0.f;
    }
    return;
  }

  const int warp = threadIdx.x / 32;
  const int lane = threadIdx.x % 32;
  const int group = lane / 4;
  const int quad = lane % 4;
  const bf16* q_first = q + (static_cast<std::int64_t>(sequence) * shape.num_heads + first_head) * D;
  WarpAttention<D> state;
  state.start(group < heads_here ? q_first + group * D : nullptr,
              group + 8 < heads_here ? q_first + (group + 8) * D : nullptr);

  const std::int64_t key_stride = static_cast<std::int64_t>(shape.num_kv_heads) * D;
  const std::int64_t kv_offset = static_cast<std::int64_t>(sequence) * shape.capacity * key_stride + kv_head * D;
  const bf16* k = k_cache + kv_offset;
  const bf16* v = v_cache + kv_offset;
  const float score_scale = shape.scale * kLog2e;
  const int tiles_here = (end - begin + kTileKeys - 1) / kTileKeys;

  load_tile_async<D>(tiles, tiles + kTileElements<D>, k, v, key_stride, begin, end);
  commit_async_copies();
  for (int t = 0; t < tiles_here; ++t) {
    if (t + 1 < tiles_here) {
      bf16* next = tiles + ((t + 1) % 2) * 2 * kTileElements<D>;
      load_tile_async<D>(next, next + kTileElements<D>, k, v, key_stride, begin + (t + 1) * kTileKeys, end);
    }
    commit_async_copies();
    wait_async_copies<1>();
    __syncthreads();

    const bf16* k_warp = tiles + (t % 2) * 2 * kTileElements<D> + warp * 16 * kRowStride<D>;
    const int first_key = begin + t * kTileKeys + warp * 16;
    state.template attend<16>(k_warp, k_warp + kTileElements<D>, score_scale,
                              [&](int, int key) { return first_key + key >= end; });
    __syncthreads();
  }
  wait_async_copies<0>();  // nothing may still be landing in the memory the merge reuses

  auto& merge = *reinterpret_cast<WarpPartials<D>*>(shared_bytes);
#pragma unroll
  for (int half = 0; half < 2; ++half) {
    const int row = group + 8 * half;
    const float sum = state.row_sum(half);
    if (quad == 0) {
      merge.max[warp][row] = state.max[half];
      merge.sum[warp][row] = sum;
    }
#pragma unroll
    for (int dt = 0; dt < D / 8; ++dt) {
      merge.out[warp][row][dt * 8 + 2 * quad] = state.o[dt][2 * half];
      merge.out[warp][row][dt * 8 + 2 * quad + 1] = state.o[dt][2 * half + 1];
    }
  }
  __syncthreads();

  for (int i = threadIdx.x; i < heads_here * D; i += kThreads) {
    const int row = i / D;
    const int dim = i % D;
    float block_max = -INFINITY;
    for (int w = 0; w < kWarps; ++w) block_max = fmaxf(block_max, merge.max[w][row]);
    float out = 0.f;
    float sum = 0.f;
    for (int w = 0; w < kWarps; ++w) {
      // A warp whose keys were all past the end has max -inf and adds nothing.
      const float weight = merge.max[w][row] == -INFINITY ? 0.f : exp2f(merge.max[w][row] - block_max);
      out += weight * merge.out[w][row][dim];
      sum += weight * merge.sum[w][row];
    }
    const std::int64_t at = partial_base + static_cast<std::int64_t>(row) * splits;
    partials.out[at * D + dim] = out;
    if (dim == 0) {
      partials.max[at] = block_max;
      partials.sum[at] = sum;
    }
  }
}

// One block per (sequence, head), one thread per dimension.
template <int D>
__global__ void __launch_bounds__(D) decode_combine_kernel(AttentionShape shape, int splits, const void* workspace,
                                                           bf16* __restrict__ out) {
  const Partials partials = Partials::in(const_cast<void*>(workspace), shape, splits);
  const std::int64_t first = static_cast<std::int64_t>(blockIdx.x) * splits;  // blockIdx.x = sequence * heads + head
  float max = -INFINITY;
  for (int s = 0; s < splits; ++s) max = fmaxf(max, partials.max[first + s]);
  float sum = 0.f;
  float value = 0.f;
  for (int s = 0; s < splits; ++s) {
    const float split_sum = partials.sum[first + s];
    if (split_sum == 0.f) continue;  // an empty chunk
    const float weight = exp2f(partials.max[first + s] - max);
    sum += weight * split_sum;
    value += weight * partials.out[(first + s) * D + threadIdx.x];
  }
  out[static_cast<std::int64_t>(blockIdx.x) * D + threadIdx.x] = __float2bfloat16(value / sum);
}

template <int D>
cudaError_t launch(const bf16* q, const bf16* k_cache, const bf16* v_cache, bf16* out, const AttentionShape& shape,
                   const int* position, int splits, void* workspace, cudaStream_t stream) {
  // Set on every launch rather than once: the attribute belongs to the current device.
  if (cudaError_t e = cudaFuncSetAttribute(decode_split_kernel<D>, cudaFuncAttributeMaxDynamicSharedMemorySize,
                                           kDecodeSharedBytes<D>);
      e != cudaSuccess)
    return e;
  const dim3 grid(shape.batch * shape.num_kv_heads * decode_head_groups(shape), splits);
  decode_split_kernel<D><<<grid, kThreads, kDecodeSharedBytes<D>, stream>>>(q, k_cache, v_cache, shape, position,
                                                                             splits, workspace);
  if (cudaError_t e = cudaGetLastError(); e != cudaSuccess) return e;
  decode_combine_kernel<D><<<shape.batch * shape.num_heads, D, 0, stream>>>(shape, splits, workspace, out);
  return cudaGetLastError();
}

}  // namespace

cudaError_t launch_decode(const bf16* q, const bf16* k_cache, const bf16* v_cache, bf16* out,
                          const AttentionShape& shape, const int* position, int num_splits, void* workspace,
                          cudaStream_t stream) {
  switch (shape.head_dim) {
    case 32: return launch<32>(q, k_cache, v_cache, out, shape, position, num_splits, workspace, stream);
    case 64: return launch<64>(q, k_cache, v_cache, out, shape, position, num_splits, workspace, stream);
    default: return launch<128>(q, k_cache, v_cache, out, shape, position, num_splits, workspace, stream);
  }
}

}  // namespace sb::llm::kernels::attention
