#include "workloads/unified_memory/unified_memory_kernels.hpp"

namespace sb::unified_memory {
namespace {

// A grid sized to fill the GPU once, looping over the buffer: many pages are touched at the same
// time (the fault handler batches them), and one atomic per warp keeps atomics off the profile.
__global__ void sum_words_kernel(const uint4* __restrict__ words, std::size_t count4, unsigned long long* sum) {
  unsigned long long local = 0;
  const std::size_t stride = static_cast<std::size_t>(gridDim.x) * blockDim.x;
  for (std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < count4; i += stride) {
    const uint4 v = words[i];
    local += static_cast<unsigned long long>(v.x) + v.y + v.z + v.w;
  }
  for (int offset = 16; offset > 0; offset /= 2) local += __shfl_down_sync(0xffffffffu, local, offset);
  if ((threadIdx.x & 31u) == 0) atomicAdd(sum, local);
}

}  // namespace

cudaError_t launch_sum_words(const std::uint32_t* words, std::size_t count, unsigned long long* sum, int grid,
                             cudaStream_t stream) {
  sum_words_kernel<<<grid, kSumBlockSize, 0, stream>>>(reinterpret_cast<const uint4*>(words), count / 4, sum);
  return cudaGetLastError();
}

}  // namespace sb::unified_memory
