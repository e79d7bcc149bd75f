// The decode GEMM: a few activation rows times a bf16 weight that is read exactly once. Decoding is
// bound by how fast the weights stream from memory, so each warp (or a few warps) owns one output
// feature and reads its weight row with 16-byte loads, several per lane before the first FMA,
// marked evict-first (the weights are not reused within a step, the activations are: they stay in
// L1/L2). Launched overlapping the previous kernel (kernel_support.cuh): every warp prefetches the
// start of its first weight row into L2 while that kernel finishes.
#include "llm_cuda/kernel_launches.hpp"
#include "llm_cuda/kernel_support.cuh"

namespace sb::llm::kernels {
namespace {

constexpr int kThreads = 256;  // 8 warps
constexpr int kWarps = kThreads / 32;
constexpr int kMaxSplit = kWarps;
// 16-byte weight loads per lane in flight. On the H200, 4 streamed every 8B projection faster than 8
// or 16 (gate_up 3946 against 3561 and 3564 GB/s): more requests in flight did not help.
constexpr int kLoadsInFlight = 4;

__device__ __forceinline__ void store(bf16* out, float v) { *out = __float2bfloat16_rn(v); }
__device__ __forceinline__ void store(float* out, float v) { *out = v; }
__device__ __forceinline__ float load(const bf16* p) { return __bfloat162float(*p); }
__device__ __forceinline__ float load(const float* p) { return *p; }
__device__ __forceinline__ float rounded_to_bf16(float v) { return __bfloat162float(__float2bfloat16_rn(v)); }

__device__ __forceinline__ void prefetch_to_l2(const uint4* p) { asm volatile("prefetch.global.L2 [%0];" ::"l"(p)); }

template <int Rows>
__device__ __forceinline__ void multiply_add(uint4 weight_bits, const uint4* __restrict__ x, std::int64_t x_stride,
                                             std::int64_t at, float (&acc)[Rows]) {
  float w[8];
  unpack(weight_bits, w);
#pragma unroll
  for (int r = 0; r < Rows; ++r) {
    float v[8];
    unpack(__ldg(x + r * x_stride + at), v);
#pragma unroll
    for (int j = 0; j < 8; ++j) acc[r] = fmaf(w[j], v[j], acc[r]);
  }
}

// `split` warps (1, 2, 4 or 8) share an output feature: warp s of them reads the 512-byte pieces
// s, s + split, ... of the row, so that a weight of few rows still keeps every SM's warps busy; their
// sums meet in shared memory, added in warp order.
// Parts 1: out[r, feature] (+)= the dot product of weight row `feature`.
// Parts 2 (SwiGLU fused): weight rows `feature` (gate) and n + feature (up); out[r, feature] =
// silu(gate) * up with gate and up rounded to bf16 first, exactly what the unfused pair (GEMV into
// bf16, then swiglu_in_place) computes: each row's products are summed in the same order.
// Loads: 16-byte loads per lane in flight, over the parts.
template <int Rows, int Parts, int Loads, class Out>
__global__ void __launch_bounds__(kThreads) gemv_kernel(const uint4* __restrict__ weight, int n, int vectors_per_row,
                                                        int split, const uint4* __restrict__ x, std::int64_t x_stride,
                                                        Out* __restrict__ out, std::int64_t out_stride,
                                                        bool accumulate) {
  constexpr int kPartLoads = Loads / Parts;
  __shared__ float partial[kWarps][Parts][Rows];
  const int lane = threadIdx.x & 31;
  const int warp = static_cast<int>(threadIdx.x / 32);
  const int feature = blockIdx.x * (kWarps / split) + warp / split;
  const int step = 32 * split;  // vectors between one lane's loads
  const bool active = feature < n;
  const std::int64_t part_offset = static_cast<std::int64_t>(n) * vectors_per_row;
  const uint4* row = weight + static_cast<std::int64_t>(active ? feature : 0) * vectors_per_row;
  const int first = (warp % split) * 32 + lane;

  let_next_kernel_start();
  if (active) {  // the weight is never written by the kernel before: safe to touch before the wait
#pragma unroll
    for (int u = 0; u < kPartLoads; ++u)
#pragma unroll
      for (int p = 0; p < Parts; ++p)
        if (first + u * step < vectors_per_row) prefetch_to_l2(row + p * part_offset + first + u * step);
  }
  wait_for_previous_kernel();

  float acc[Parts][Rows] = {};
  if (active) {
    int i = first;
    for (; i + (kPartLoads - 1) * step < vectors_per_row; i += kPartLoads * step) {
      uint4 w[Parts][kPartLoads];
#pragma unroll
      for (int p = 0; p < Parts; ++p)
#pragma unroll
        for (int u = 0; u < kPartLoads; ++u) w[p][u] = __ldcs(row + p * part_offset + i + u * step);
#pragma unroll
      for (int p = 0; p < Parts; ++p)
#pragma unroll
        for (int u = 0; u < kPartLoads; ++u) multiply_add<Rows>(w[p][u], x, x_stride, i + u * step, acc[p]);
    }
    for (; i < vectors_per_row; i += step) {
#pragma unroll
      for (int p = 0; p < Parts; ++p) multiply_add<Rows>(__ldcs(row + p * part_offset + i), x, x_stride, i, acc[p]);
    }
  }
#pragma unroll
  for (int p = 0; p < Parts; ++p)
#pragma unroll
    for (int r = 0; r < Rows; ++r) acc[p][r] = warp_sum(acc[p][r]);

  if (split > 1) {
    if (lane == 0) {
#pragma unroll
      for (int p = 0; p < Parts; ++p)
#pragma unroll
        for (int r = 0; r < Rows; ++r) partial[warp][p][r] = acc[p][r];
    }
    __syncthreads();
    if (warp % split != 0) return;
    for (int s = 1; s < split; ++s)
#pragma unroll
      for (int p = 0; p < Parts; ++p)
#pragma unroll
        for (int r = 0; r < Rows; ++r) acc[p][r] += partial[warp + s][p][r];
  }
  if (lane == 0 && active) {
#pragma unroll
    for (int r = 0; r < Rows; ++r) {
      Out* o = out + r * out_stride + feature;
      if constexpr (Parts == 2) {
        const float gate = rounded_to_bf16(acc[0][r]);
        store(o, gate / (1.0f + expf(-gate)) * rounded_to_bf16(acc[1][r]));
      } else {
        store(o, accumulate ? acc[0][r] + load(o) : acc[0][r]);
      }
    }
  }
}

// The fewest warps per feature (at most 8) that fill the GPU's warp slots at least 7/8 full. On the
// H200 that is 2 for Llama 3.1 8B's q/k/v, o and down weights, where 2 measured faster than 1 or 4
// (o: 11.5 us against 11.9 and 12.1), and 1 for gate_up and lm_head.
int split_for(int weight_rows) {
  int device = 0, sms = 0, threads_per_sm = 0;
  if (cudaGetDevice(&device) != cudaSuccess ||
      cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, device) != cudaSuccess ||
      cudaDeviceGetAttribute(&threads_per_sm, cudaDevAttrMaxThreadsPerMultiProcessor, device) != cudaSuccess) {
    return 1;  // the launch itself then reports what is wrong
  }
  const std::int64_t warps_on_the_gpu = static_cast<std::int64_t>(sms) * threads_per_sm / 32;
  int split = 1;
  while (split < kMaxSplit && static_cast<std::int64_t>(weight_rows) * split * 8 < warps_on_the_gpu * 7) split *= 2;
  return split;
}

template <int Parts, class Out>
cudaError_t launch_rows(const bf16* weight, int n, int k, const bf16* x, std::int64_t x_row_stride, int rows, Out* out,
                        std::int64_t out_stride, bool accumulate, cudaStream_t stream) {
  const int split = split_for(n * Parts);
  const int blocks = (n + kWarps / split - 1) / (kWarps / split);
  const auto* w = reinterpret_cast<const uint4*>(weight);
  const auto* xv = reinterpret_cast<const uint4*>(x);
  const std::int64_t stride = x_row_stride / 8;
  const auto go = [&]<int Rows>() {
    return launch_overlapping(gemv_kernel<Rows, Parts, kLoadsInFlight, Out>, blocks, kThreads, stream, w, n, k / 8,
                              split, xv, stride, out, out_stride, accumulate);
  };
  switch (rows) {
    case 1: return go.template operator()<1>();
    case 2: return go.template operator()<2>();
    case 3: return go.template operator()<3>();
    case 4: return go.template operator()<4>();
    case 5: return go.template operator()<5>();
    case 6: return go.template operator()<6>();
    case 7: return go.template operator()<7>();
    default: return go.template operator()<8>();
  }
}

}  // namespace

cudaError_t launch::gemv(const bf16* weight, int n, int k, const bf16* x, std::int64_t x_row_stride, int rows, bf16* out,
                         bool accumulate, cudaStream_t stream) {
  return launch_rows<1>(weight, n, k, x, x_row_stride, rows, out, n, accumulate, stream);
}

cudaError_t launch::gemv(const bf16* weight, int n, int k, const bf16* x, std::int64_t x_row_stride, int rows, float* out,
                         cudaStream_t stream) {
  return launch_rows<1>(weight, n, k, x, x_row_stride, rows, out, n, false, stream);
}

cudaError_t launch::gemv_swiglu(const bf16* gate_up_weight, int intermediate, int k, const bf16* x,
                                std::int64_t x_row_stride, int rows, bf16* gate_up, cudaStream_t stream) {
  return launch_rows<2>(gate_up_weight, intermediate, k, x, x_row_stride, rows, gate_up, 2 * std::int64_t{intermediate},
                        false, stream);
}

}  // namespace sb::llm::kernels
