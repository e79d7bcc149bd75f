// Bias add for the models that have projection biases; off the hot path of Llama models.
#include <algorithm>

#include "llm_cuda/kernel_launches.hpp"
#include "llm_cuda/kernel_support.cuh"

namespace sb::llm::kernels {
namespace {

__global__ void add_bias_kernel(bf16* __restrict__ x, const bf16* __restrict__ bias, std::int64_t count, int features) {
  let_next_kernel_start();
  wait_for_previous_kernel();
  const std::int64_t stride = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
  for (std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < count; i += stride) {
    x[i] = __float2bfloat16_rn(__bfloat162float(x[i]) + __bfloat162float(bias[i % features]));
  }
}

}  // namespace

cudaError_t launch::add_bias(bf16* x, const bf16* bias, int rows, int features, cudaStream_t stream) {
  const std::int64_t count = static_cast<std::int64_t>(rows) * features;
  const int blocks = static_cast<int>(std::min<std::int64_t>((count + 255) / 256, 4096));
  return launch_overlapping(add_bias_kernel, blocks, 256, stream, x, bias, count, features);
}

}  // namespace sb::llm::kernels
