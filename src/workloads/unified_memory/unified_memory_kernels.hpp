#pragma once
#include <cstddef>
#include <cstdint>

#include <cuda_runtime_api.h>

namespace sb::unified_memory {

constexpr int kSumBlockSize = 256;

// Adds all `count` words (count a multiple of 4, 16-byte aligned) into *sum with 64-bit
// arithmetic, reading every word once; *sum must be zeroed first. `grid` blocks of kSumBlockSize threads.
// Returns cudaGetLastError().
cudaError_t launch_sum_words(const std::uint32_t* words, std::size_t count, unsigned long long* sum, int grid,
                             cudaStream_t stream);

}  // namespace sb::unified_memory
