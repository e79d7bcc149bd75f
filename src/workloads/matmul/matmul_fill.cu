#include <algorithm>

#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include "workloads/matmul/matmul_fill.hpp"
#include "workloads/matmul/matmul_inputs.hpp"

namespace sb::matmul {
namespace {

// The host regenerates entries with the same round-to-nearest conversions (matmul_gpu_cuda.cpp).
__device__ float to_storage(float v, float*) { return v; }
__device__ __half to_storage(float v, __half*) { return __float2half_rn(v); }
__device__ __nv_bfloat16 to_storage(float v, __nv_bfloat16*) { return __float2bfloat16_rn(v); }

template <class T>
__global__ void fill_kernel(T* out, std::size_t count, std::uint64_t key) {
  const std::size_t stride = static_cast<std::size_t>(gridDim.x) * blockDim.x;
  for (std::size_t index = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x; index < count;
       index += stride)
    out[index] = to_storage(input_value(key, index), out);
}

template <class T>
cudaError_t launch(void* out, std::size_t count, std::uint64_t key, cudaStream_t stream) {
  constexpr unsigned kThreads = 256;
  // Enough blocks to fill any current GPU several times over; the loop covers the rest.
  const auto blocks = static_cast<unsigned>(std::min<std::size_t>((count + kThreads - 1) / kThreads, 16384));
  fill_kernel<<<std::max(blocks, 1u), kThreads, 0, stream>>>(static_cast<T*>(out), count, key);
  return cudaGetLastError();
}

}  // namespace

cudaError_t fill_inputs(void* out, std::size_t count, StorageType type, std::uint64_t key, cudaStream_t stream) {
  switch (type) {
    case StorageType::F32: return launch<float>(out, count, key, stream);
    case StorageType::F16: return launch<__half>(out, count, key, stream);
    case StorageType::BF16: return launch<__nv_bfloat16>(out, count, key, stream);
  }
  return cudaErrorInvalidValue;
}

}  // namespace sb::matmul
