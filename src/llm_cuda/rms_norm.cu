// RMSNorm, one block per row: the sum of squares in fp32, then the scaled row times the weight,
// rounded to bf16 once.
#include <algorithm>

#include "llm_cuda/kernel_launches.hpp"
#include "llm_cuda/kernel_support.cuh"

namespace sb::llm::kernels {
namespace {

__global__ void rms_norm_kernel(const uint4* __restrict__ x, std::int64_t x_row_stride_vectors,
                                const uint4* __restrict__ weight, int vectors_per_row, float inverse_hidden,
                                float eps, uint4* __restrict__ out) {
  let_next_kernel_start();
  wait_for_previous_kernel();
  const uint4* row = x + blockIdx.x * x_row_stride_vectors;
  float sum_of_squares = 0;
  for (int i = threadIdx.x; i < vectors_per_row; i += blockDim.x) {
    float v[8];
    unpack(row[i], v);
#pragma unroll
    for (int j = 0; j < 8; ++j) sum_of_squares = fmaf(v[j], v[j], sum_of_squares);
  }
  const float scale = rsqrtf(block_sum(sum_of_squares) * inverse_hidden + eps);
  uint4* out_row = out + static_cast<std::int64_t>(blockIdx.x) * vectors_per_row;
  for (int i = threadIdx.x; i < vectors_per_row; i += blockDim.x) {
    float v[8], w[8];
    unpack(row[i], v);
    unpack(weight[i], w);
#pragma unroll
    for (int j = 0; j < 8; ++j) v[j] = v[j] * scale * w[j];
    out_row[i] = pack(v);
  }
}

}  // namespace

cudaError_t launch::rms_norm(const bf16* x, std::int64_t x_row_stride, const bf16* weight, int rows, int hidden,
                             float eps, bf16* out, cudaStream_t stream) {
  // One vector per thread where the row allows it (hidden 4096: 512 threads), at least a warp.
  const int vectors = hidden / 8;
  const int threads = std::clamp((vectors + 31) / 32 * 32, 32, 1024);
  return launch_overlapping(rms_norm_kernel, rows, threads, stream, reinterpret_cast<const uint4*>(x), x_row_stride / 8,
                            reinterpret_cast<const uint4*>(weight), vectors, 1.0f / static_cast<float>(hidden), eps,
                            reinterpret_cast<uint4*>(out));
}

}  // namespace sb::llm::kernels
