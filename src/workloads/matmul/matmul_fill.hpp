#pragma once
// The GPU side of the input generator (matmul_inputs.hpp): fills a device matrix. CUDA builds only.
#include <cstddef>
#include <cstdint>

#include <cuda_runtime.h>

namespace sb::matmul {

enum class StorageType { F32, F16, BF16 };

// Writes input_value(key, index) rounded to nearest in `type`, for index in [0, count), on `stream`.
// Returns the launch's status (cudaGetLastError), for the caller to check.
cudaError_t fill_inputs(void* out, std::size_t count, StorageType type, std::uint64_t key, cudaStream_t stream);

}  // namespace sb::matmul
