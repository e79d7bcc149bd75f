#pragma once
// The kernels of gpu_bandwidth. Each launcher returns cudaGetLastError() after the launch.
#include <cstddef>

#include <cuda_runtime_api.h>

namespace sb::gpu_bandwidth {

constexpr int kBlockSize = 256;

// Blocks needed to give each thread one float4 of an array of `count` floats.
int grid_for(std::size_t count);

// dst[i] = src[i] for i < count; count is a multiple of 4, pointers 16-byte aligned.
cudaError_t launch_copy(const float* src, float* dst, std::size_t count, cudaStream_t stream);
// a[i] = fma(s, c[i], b[i]) (one rounding, as std::fma on the host) for i < count.
cudaError_t launch_triad(float* a, const float* b, const float* c, float s, std::size_t count,
                         cudaStream_t stream);

}  // namespace sb::gpu_bandwidth
