// The canary's device-memory read: every thread sums a strided slice of a buffer of 32-bit words
// (read once, 16 bytes per load) and the block's sum is added to one 64-bit total, so that the
// result is exact and the CPU can check it.
#include <cstdint>

#include <cuda_runtime.h>

#include "canary/device_read_kernel.hpp"

namespace sb::canary {
namespace {

constexpr int kThreads = 256;

__global__ void sum_words(const uint4* __restrict__ words4, std::size_t count4, unsigned long long* total) {
  unsigned long long sum = 0;
  for (std::size_t i = blockIdx.x * static_cast<std::size_t>(blockDim.x) + threadIdx.x; i < count4;
       i += static_cast<std::size_t>(gridDim.x) * blockDim.x) {
    const uint4 v = words4[i];
    sum += static_cast<unsigned long long>(v.x) + v.y + v.z + v.w;
  }
  __shared__ unsigned long long block[kThreads];
  block[threadIdx.x] = sum;
  __syncthreads();
  for (int half = kThreads / 2; half > 0; half /= 2) {
    if (threadIdx.x < half) block[threadIdx.x] += block[threadIdx.x + half];
    __syncthreads();
  }
  if (threadIdx.x == 0) atomicAdd(total, block[0]);
}

}  // namespace

cudaError_t launch_sum_words(const std::uint32_t* words, std::size_t count, unsigned long long* total, int blocks,
                             cudaStream_t stream) {
  sum_words<<<blocks, kThreads, 0, stream>>>(reinterpret_cast<const uint4*>(words), count / 4, total);
  return cudaGetLastError();
}

}  // namespace sb::canary
