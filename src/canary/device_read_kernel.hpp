#pragma once
// Launcher of the canary's device-read kernel (device_read.cu).
#include <cstddef>
#include <cstdint>

#include <cuda_runtime_api.h>

namespace sb::canary {

// Adds the `count` words (a multiple of 4, 16-byte aligned) to *total.
cudaError_t launch_sum_words(const std::uint32_t* words, std::size_t count, unsigned long long* total, int blocks,
                             cudaStream_t stream);

}  // namespace sb::canary
