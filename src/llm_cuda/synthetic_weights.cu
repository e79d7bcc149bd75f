// Synthetic weights generated where they are used: the 16 GB of an 8B model never cross PCIe, and
// each element is the host generator's value (llm/synthetic_generator.hpp) rounded to bf16.
#include <algorithm>

#include "llm/synthetic_generator.hpp"
#include "llm_cuda/kernel_launches.hpp"

namespace sb::llm::kernels {
namespace {

__global__ void fill_synthetic_kernel(bf16* __restrict__ out, std::int64_t count, std::uint64_t stream_id, float offset,
                                      float scale) {
  const std::int64_t stride = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
  for (std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < count; i += stride) {
    out[i] = __float2bfloat16_rn(synthetic::weight(offset, scale, stream_id, static_cast<std::uint64_t>(i)));
  }
}

}  // namespace

cudaError_t launch::fill_synthetic_weights(bf16* out, std::int64_t count, std::uint64_t stream_id, float offset,
                                           float scale, cudaStream_t stream) {
  const int blocks = static_cast<int>(std::min<std::int64_t>((count + 255) / 256, 8192));
  fill_synthetic_kernel<<<blocks, 256, 0, stream>>>(out, count, stream_id, offset, scale);
  return cudaGetLastError();
}

}  // namespace sb::llm::kernels
