#include <algorithm>
#include <climits>

#include "workloads/gpu_bandwidth/gpu_bandwidth_kernels.hpp"

namespace sb::gpu_bandwidth {
namespace {

// One float4 per thread and iteration: 16-byte loads and stores are what reach full DRAM
// bandwidth; the grid-stride loop only matters for arrays beyond 2^31 blocks.
__global__ void copy_kernel(const float4* __restrict__ src, float4* __restrict__ dst, std::size_t count4) {
  const std::size_t stride = static_cast<std::size_t>(gridDim.x) * blockDim.x;
  for (std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < count4; i += stride)
    dst[i] = src[i];
}

__global__ void triad_kernel(float4* __restrict__ a, const float4* __restrict__ b, const float4* __restrict__ c,
                             float s, std::size_t count4) {
  const std::size_t stride = static_cast<std::size_t>(gridDim.x) * blockDim.x;
  for (std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < count4; i += stride) {
    const float4 bv = b[i];
    const float4 cv = c[i];
    a[i] = make_float4(__fmaf_rn(s, cv.x, bv.x), __fmaf_rn(s, cv.y, bv.y), __fmaf_rn(s, cv.z, bv.z),
                       __fmaf_rn(s, cv.w, bv.w));
  }
}

}  // namespace

int grid_for(std::size_t count) {
  const std::size_t blocks = (count / 4 + kBlockSize - 1) / kBlockSize;
  return static_cast<int>(std::clamp<std::size_t>(blocks, 1, INT_MAX));
}

cudaError_t launch_copy(const float* src, float* dst, std::size_t count, cudaStream_t stream) {
  copy_kernel<<<grid_for(count), kBlockSize, 0, stream>>>(reinterpret_cast<const float4*>(src),
                                                          reinterpret_cast<float4*>(dst), count / 4);
  return cudaGetLastError();
}

cudaError_t launch_triad(float* a, const float* b, const float* c, float s, std::size_t count,
                         cudaStream_t stream) {
  triad_kernel<<<grid_for(count), kBlockSize, 0, stream>>>(reinterpret_cast<float4*>(a),
                                                           reinterpret_cast<const float4*>(b),
                                                           reinterpret_cast<const float4*>(c), s, count / 4);
  return cudaGetLastError();
}

}  // namespace sb::gpu_bandwidth
