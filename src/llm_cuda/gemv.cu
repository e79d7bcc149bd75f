// The decode GEMM: a few activation rows times a bf16 weight that is read exactly once. Decoding is
// bound by how fast the weights stream from memory, so each warp owns one output feature and reads
// its weight row with 16-byte loads, several in flight per lane, marked evict-first (the weights
// are not reused within a step, the activations are: they stay in L1/L2).
#include "llm_cuda/kernel_launches.hpp"
#include "llm_cuda/kernel_support.cuh"

namespace sb::llm::kernels {
namespace {

constexpr int kThreads = 256;              // 8 warps: 8 output features per block
constexpr int kLoadsInFlight = 4;          // 16-byte weight loads per lane before the first FMA
constexpr int kWarpVectors = 32;           // one 16-byte vector per lane

__device__ __forceinline__ void store(bf16* out, float v) { *out = __float2bfloat16_rn(v); }
__device__ __forceinline__ void store(float* out, float v) { *out = v; }
__device__ __forceinline__ float load(const bf16* p) { return __bfloat162float(*p); }
__device__ __forceinline__ float load(const float* p) { return *p; }

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

template <int Rows, class Out>
__global__ void __launch_bounds__(kThreads) gemv_kernel(const uint4* __restrict__ weight, int n, int vectors_per_row,
                                                        const uint4* __restrict__ x, std::int64_t x_stride,
                                                        Out* __restrict__ out, bool accumulate) {
  const int feature = static_cast<int>((static_cast<std::int64_t>(blockIdx.x) * kThreads + threadIdx.x) / 32);
  const int lane = threadIdx.x & 31;
  if (feature >= n) return;
  const uint4* row = weight + static_cast<std::int64_t>(feature) * vectors_per_row;

  float acc[Rows] = {};
  int i = lane;
  for (; i + (kLoadsInFlight - 1) * kWarpVectors < vectors_per_row; i += kLoadsInFlight * kWarpVectors) {
    uint4 w[kLoadsInFlight];
#pragma unroll
    for (int u = 0; u < kLoadsInFlight; ++u) w[u] = __ldcs(row + i + u * kWarpVectors);
#pragma unroll
    for (int u = 0; u < kLoadsInFlight; ++u) multiply_add<Rows>(w[u], x, x_stride, i + u * kWarpVectors, acc);
  }
  for (; i < vectors_per_row; i += kWarpVectors) multiply_add<Rows>(__ldcs(row + i), x, x_stride, i, acc);

#pragma unroll
  for (int r = 0; r < Rows; ++r) acc[r] = warp_sum(acc[r]);
  if (lane == 0) {
#pragma unroll
    for (int r = 0; r < Rows; ++r) {
      Out* o = out + static_cast<std::int64_t>(r) * n + feature;
      store(o, accumulate ? acc[r] + load(o) : acc[r]);
    }
  }
}

template <class Out>
cudaError_t launch_rows(const bf16* weight, int n, int k, const bf16* x, std::int64_t x_row_stride, int rows, Out* out,
                        bool accumulate, cudaStream_t stream) {
  const int blocks = (n + kThreads / 32 - 1) / (kThreads / 32);
  const auto* w = reinterpret_cast<const uint4*>(weight);
  const auto* xv = reinterpret_cast<const uint4*>(x);
  const std::int64_t stride = x_row_stride / 8;
  switch (rows) {
    case 1: gemv_kernel<1, Out><<<blocks, kThreads, 0, stream>>>(w, n, k / 8, xv, stride, out, accumulate); break;
    case 2: gemv_kernel<2, Out><<<blocks, kThreads, 0, stream>>>(w, n, k / 8, xv, stride, out, accumulate); break;
    case 3: gemv_kernel<3, Out><<<blocks, kThreads, 0, stream>>>(w, n, k / 8, xv, stride, out, accumulate); break;
    case 4: gemv_kernel<4, Out><<<blocks, kThreads, 0, stream>>>(w, n, k / 8, xv, stride, out, accumulate); break;
    case 5: gemv_kernel<5, Out><<<blocks, kThreads, 0, stream>>>(w, n, k / 8, xv, stride, out, accumulate); break;
    case 6: gemv_kernel<6, Out><<<blocks, kThreads, 0, stream>>>(w, n, k / 8, xv, stride, out, accumulate); break;
    case 7: gemv_kernel<7, Out><<<blocks, kThreads, 0, stream>>>(w, n, k / 8, xv, stride, out, accumulate); break;
    default: gemv_kernel<8, Out><<<blocks, kThreads, 0, stream>>>(w, n, k / 8, xv, stride, out, accumulate); break;
  }
  return cudaGetLastError();
}

}  // namespace

cudaError_t launch::gemv(const bf16* weight, int n, int k, const bf16* x, std::int64_t x_row_stride, int rows, bf16* out,
                         bool accumulate, cudaStream_t stream) {
  return launch_rows(weight, n, k, x, x_row_stride, rows, out, accumulate, stream);
}

cudaError_t launch::gemv(const bf16* weight, int n, int k, const bf16* x, std::int64_t x_row_stride, int rows, float* out,
                         cudaStream_t stream) {
  return launch_rows(weight, n, k, x, x_row_stride, rows, out, false, stream);
}

}  // namespace sb::llm::kernels
