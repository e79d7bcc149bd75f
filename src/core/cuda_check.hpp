#pragma once
// Checked CUDA runtime and cuBLAS calls for the GPU workloads. Include only from CUDA-build files
// (*.cu, *_cuda.cpp). A failed call throws sb::Error naming the call, where it was made and what
// the library said, so that a failure in a benchmark reads as a diagnosis rather than a crash.
#include <string>

#include <cublas_v2.h>
#include <cuda_runtime.h>

#include "core/error.hpp"

namespace sb::cuda {

[[noreturn]] inline void throw_failed_call(const char* call, const char* file, int line, const std::string& what) {
  throw Error(std::string(call) + " failed at " + file + ":" + std::to_string(line) + ": " + what,
              "check the GPU with `nvidia-smi` and `sparkbench doctor`; if the GPU looks healthy, "
              "report this with the run record",
              kExitFailure);
}

inline void check(cudaError_t status, const char* call, const char* file, int line) {
  if (status != cudaSuccess)
    throw_failed_call(call, file, line, std::string(cudaGetErrorName(status)) + " (" + cudaGetErrorString(status) + ")");
}

inline void check(cublasStatus_t status, const char* call, const char* file, int line) {
  if (status != CUBLAS_STATUS_SUCCESS)
    throw_failed_call(call, file, line, std::string(cublasGetStatusName(status)) + " (" + cublasGetStatusString(status) + ")");
}

// The reason no CUDA device can be used here ("no CUDA-capable device is detected", "CUDA driver
// version is insufficient ...", ...), or an empty string when at least one device is usable.
inline std::string device_unavailable_reason() {
  int count = 0;
  cudaError_t status = cudaGetDeviceCount(&count);
  if (status != cudaSuccess) {
    std::string reason = cudaGetErrorString(status);
    cudaGetLastError();  // the failure is sticky for this call only; clear it for later callers
    return reason;
  }
  return count == 0 ? "cudaGetDeviceCount found 0 devices" : "";
}

// Throws sb::Unavailable, with the driver's reason, where no CUDA device can be used.
inline void require_device() {
  if (std::string reason = device_unavailable_reason(); !reason.empty())
    throw Unavailable("no usable CUDA device: " + reason);
}

}  // namespace sb::cuda

#define CUDA_CHECK(call) ::sb::cuda::check((call), #call, __FILE__, __LINE__)
#define CUBLAS_CHECK(call) ::sb::cuda::check((call), #call, __FILE__, __LINE__)
