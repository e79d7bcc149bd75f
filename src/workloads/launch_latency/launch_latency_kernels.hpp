#pragma once
#include <cuda_runtime_api.h>

namespace sb::launch_latency {

// Launches a kernel with an empty body, <<<1, 1>>>, on `stream`; returns cudaGetLastError().
cudaError_t launch_empty_kernel(cudaStream_t stream);

}  // namespace sb::launch_latency
