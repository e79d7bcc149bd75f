#pragma once
// What the prefill and decode attention kernels share: one warp attends 16 rows of queries to a tile
// of keys held in shared memory, with bf16 tensor-core MMAs (mma.sync m16n8k16, fp32 accumulation)
// and an online softmax in fp32. Prefill's 16 rows are 16 query tokens of one head; decode's are
// the query heads of one KV head (GQA group) at one token. Fragment layouts follow the PTX ISA,
// "Matrix Fragments for mma.m16n8k16": lane = 4 * group + quad; an A fragment holds rows group and
// group + 8, columns 2 * quad (+1) and 2 * quad + 8 (+1); a C fragment holds rows group and
// group + 8, columns 2 * quad (+1).
#include <cmath>
#include <cstdint>

#include <cuda_bf16.h>

#include "llm_cuda/attention_launch.hpp"

namespace sb::llm::kernels::attention {

constexpr int kWarps = 4;
constexpr int kThreads = kWarps * 32;
constexpr float kLog2e = 1.4426950408889634f;

// Shared-memory rows are padded by 16 bytes: ldmatrix's eight 16-byte row reads then fall in eight
// different bank quadruples for head_dim 32, 64 and 128 (row strides of 20, 36 and 68 words).
template <int D>
constexpr int kRowStride = D + 8;

// K and V tiles, double-buffered: [stage][K|V][key][kRowStride].
template <int D>
constexpr int kTileElements = kTileKeys * kRowStride<D>;
template <int D>
constexpr int kStagedTileBytes = 2 * 2 * kTileElements<D> * static_cast<int>(sizeof(bf16));

__device__ __forceinline__ std::uint32_t smem_address(const void* p) {
  return static_cast<std::uint32_t>(__cvta_generic_to_shared(p));
}

// 16 bytes global -> shared without passing through registers; `valid` false writes zeros instead
// (keys past the context: whatever the cache holds there, even NaN, never reaches the arithmetic).
__device__ __forceinline__ void copy_16_bytes_async(void* shared, const void* global, bool valid) {
  asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" ::"r"(smem_address(shared)), "l"(global),
               "r"(valid ? 16 : 0));
}
__device__ __forceinline__ void commit_async_copies() { asm volatile("cp.async.commit_group;\n" ::); }
template <int kPending>
__device__ __forceinline__ void wait_async_copies() {
  asm volatile("cp.async.wait_group %0;\n" ::"n"(kPending));
}

// Starts copying keys [first, first + kTileKeys) of one KV head into a K and a V tile; keys at or
// past `end` become zeros. `k`, `v` point at key 0 of this sequence and KV head; consecutive keys
// are `key_stride` elements apart.
template <int D>
__device__ __forceinline__ void load_tile_async(bf16* k_tile, bf16* v_tile, const bf16* k, const bf16* v,
                                                std::int64_t key_stride, int first, int end) {
  constexpr int kChunksPerKey = D / 8;  // 16-byte chunks
  for (int c = threadIdx.x; c < kTileKeys * kChunksPerKey; c += kThreads) {
    const int key = c / kChunksPerKey;
    const int col = (c % kChunksPerKey) * 8;
    const bool valid = first + key < end;
    const std::int64_t offset = valid ? (first + key) * key_stride + col : 0;
    copy_16_bytes_async(k_tile + key * kRowStride<D> + col, k + offset, valid);
    copy_16_bytes_async(v_tile + key * kRowStride<D> + col, v + offset, valid);
  }
}

__device__ __forceinline__ void load_matrix_x4(std::uint32_t (&r)[4], const bf16* p) {
  asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0, %1, %2, %3}, [%4];\n"
               : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
               : "r"(smem_address(p)));
}
__device__ __forceinline__ void load_matrix_x4_transposed(std::uint32_t (&r)[4], const bf16* p) {
  asm volatile("ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16 {%0, %1, %2, %3}, [%4];\n"
               : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
               : "r"(smem_address(p)));
}

// c += a * b, a 16x16 (row-major), b 16x8 (column-major), c 16x8 fp32.
__device__ __forceinline__ void mma_bf16(float (&c)[4], const std::uint32_t (&a)[4], std::uint32_t b0,
                                         std::uint32_t b1) {
  asm volatile(
      "mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, "
      "{%0, %1, %2, %3};\n"
      : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
      : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
}

__device__ __forceinline__ std::uint32_t pack_bf16(float low, float high) {
  const __nv_bfloat162 pair = __floats2bfloat162_rn(low, high);
  return *reinterpret_cast<const std::uint32_t*>(&pair);
}

// Two adjacent bf16 of global memory as one A-fragment register; zero for a row that does not exist.
__device__ __forceinline__ std::uint32_t load_pair(const bf16* row, int col) {
  return row ? *reinterpret_cast<const std::uint32_t*>(row + col) : 0u;
}

// One warp's running state for its 16 rows: the queries as A fragments, the unnormalised output,
// and per row (group, group + 8) the running maximum (log2 domain) and this lane's share of the sum.
template <int D>
struct WarpAttention {
  std::uint32_t q[D / 16][4];
  float o[D / 8][4];
  float max[2];
  float sum[2];

  // rows[0], rows[1]: the query rows of this lane (group, group + 8), nullptr for padding rows.
  __device__ __forceinline__ void start(const bf16* row_low, const bf16* row_high) {
    const int quad = threadIdx.x % 4;
#pragma unroll
    for (int kk = 0; kk < D / 16; ++kk) {
      q[kk][0] = load_pair(row_low, kk * 16 + 2 * quad);
      q[kk][1] = load_pair(row_high, kk * 16 + 2 * quad);
      q[kk][2] = load_pair(row_low, kk * 16 + 8 + 2 * quad);
      q[kk][3] = load_pair(row_high, kk * 16 + 8 + 2 * quad);
    }
#pragma unroll
    for (int dt = 0; dt < D / 8; ++dt) o[dt][0] = o[dt][1] = o[dt][2] = o[dt][3] = 0.f;
    max[0] = max[1] = -INFINITY;
    sum[0] = sum[1] = 0.f;
  }

  // Attends to kKeys keys at k_tile / v_tile (shared memory, kRowStride<D> apart). masked(half, key)
  // says whether row group + 8 * half must not see key `key` (0 .. kKeys - 1) of this tile.
  // score_scale is the softmax scale times log2(e): exponentials are exp2.
  template <int kKeys, class Masked>
  __device__ __forceinline__ void attend(const bf16* k_tile, const bf16* v_tile, float score_scale, Masked masked) {
    static_assert(kKeys % 16 == 0);
    const int lane = threadIdx.x % 32;
    const int quad = lane % 4;
    const int matrix = lane / 8;  // which 8x8 matrix of an ldmatrix.x4 this lane addresses a row of
    const int matrix_row = lane % 8;

    // s = q k^T. B fragments of k^T are K's rows read untransposed: matrices (keys +0, dims +0),
    // (+0, +8), (+8, +0), (+8, +8) give b0b1, b2b3 of key block nt and of nt + 1.
    float s[kKeys / 8][4];
#pragma unroll
    for (int nt = 0; nt < kKeys / 8; ++nt) s[nt][0] = s[nt][1] = s[nt][2] = s[nt][3] = 0.f;
#pragma unroll
    for (int kk = 0; kk < D / 16; ++kk) {
#pragma unroll
      for (int nt = 0; nt < kKeys / 8; nt += 2) {
        std::uint32_t b[4];
        load_matrix_x4(b, k_tile + (nt * 8 + matrix_row + (matrix / 2) * 8) * kRowStride<D> + kk * 16 + (matrix % 2) * 8);
        mma_bf16(s[nt], q[kk], b[0], b[1]);
        mma_bf16(s[nt + 1], q[kk], b[2], b[3]);
      }
    }

    // Online softmax, per row half: new maximum, rescale what was accumulated, exponentiate.
    float tile_max[2] = {-INFINITY, -INFINITY};
#pragma unroll
    for (int nt = 0; nt < kKeys / 8; ++nt) {
#pragma unroll
      for (int i = 0; i < 4; ++i) {
        const int half = i / 2;
        s[nt][i] = masked(half, nt * 8 + 2 * quad + i % 2) ? -INFINITY : s[nt][i] * score_scale;
        tile_max[half] = fmaxf(tile_max[half], s[nt][i]);
      }
    }
    float base[2];
#pragma unroll
    for (int half = 0; half < 2; ++half) {
      tile_max[half] = fmaxf(tile_max[half], __shfl_xor_sync(0xffffffffu, tile_max[half], 1));
      tile_max[half] = fmaxf(tile_max[half], __shfl_xor_sync(0xffffffffu, tile_max[half], 2));
      const float new_max = fmaxf(max[half], tile_max[half]);
      // A row that has seen only masked keys keeps -inf; exp2 of (-inf) - 0 is then 0, not NaN.
      base[half] = new_max == -INFINITY ? 0.f : new_max;
      const float rescale = exp2f(max[half] - base[half]);
      max[half] = new_max;
      sum[half] *= rescale;
#pragma unroll
      for (int dt = 0; dt < D / 8; ++dt) {
        o[dt][2 * half] *= rescale;
        o[dt][2 * half + 1] *= rescale;
      }
    }
#pragma unroll
    for (int nt = 0; nt < kKeys / 8; ++nt) {
#pragma unroll
      for (int i = 0; i < 4; ++i) {
        s[nt][i] = exp2f(s[nt][i] - base[i / 2]);
        sum[i / 2] += s[nt][i];
      }
    }

    // o += p v. The C fragments of p for keys 16j .. 16j + 15 are, packed to bf16, the A fragment
    // of p; B fragments of v come from V's rows transposed: matrices (keys +0, dims +0), (+8, +0),
    // (+0, +8), (+8, +8) give b0b1, b2b3 of dim block dt and of dt + 1.
#pragma unroll
    for (int j = 0; j < kKeys / 16; ++j) {
      const std::uint32_t p[4] = {pack_bf16(s[2 * j][0], s[2 * j][1]), pack_bf16(s[2 * j][2], s[2 * j][3]),
                                  pack_bf16(s[2 * j + 1][0], s[2 * j + 1][1]),
                                  pack_bf16(s[2 * j + 1][2], s[2 * j + 1][3])};
#pragma unroll
      for (int dt = 0; dt < D / 8; dt += 2) {
        std::uint32_t b[4];
        load_matrix_x4_transposed(
            b, v_tile + (j * 16 + matrix_row + (matrix % 2) * 8) * kRowStride<D> + dt * 8 + (matrix / 2) * 8);
        mma_bf16(o[dt], p, b[0], b[1]);
        mma_bf16(o[dt + 1], p, b[2], b[3]);
      }
    }
  }

  // The whole row's sum: the four lanes of a quad hold disjoint columns.
  __device__ __forceinline__ float row_sum(int half) const {
    float total = sum[half];
    total += __shfl_xor_sync(0xffffffffu, total, 1);
    total += __shfl_xor_sync(0xffffffffu, total, 2);
    return total;
  }
};

}  // namespace sb::llm::kernels::attention
