#pragma once
// How the state of CUDA reaches the user. Three situations, three different fixes:
//   - this binary was built without CUDA            -> sb::Unavailable, rebuild
//   - no usable device (no driver, no GPU visible)  -> sb::Unavailable, with the runtime's reason
//   - a CUDA call failed while a case ran            -> sb::Error naming the call and where
// The first part is plain C++ so that the registration files of GPU workloads can use it in
// CPU-only builds; the rest exists only in CUDA builds.
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "core/error.hpp"
#include "core/gpu_presence.hpp"

namespace sb::cuda {

[[noreturn]] inline void throw_built_without_cuda(std::string_view workload) {
  throw Unavailable(fmt::format(
      "{} needs a GPU, but this sparkbench was built without CUDA: rebuild it with "
      "-DSPARKBENCH_CUDA=ON on a machine with the CUDA toolkit (nvcc) to run it",
      workload));
}

}  // namespace sb::cuda

#if SPARKBENCH_HAVE_CUDA
#include <cublas_v2.h>
#include <cuda_runtime_api.h>

namespace sb::cuda {

// Throws sb::Error when `status` is not cudaSuccess; `what` is the call as written in the source.
// The failure is also cleared from the runtime's last-error state (unless it is sticky): a later
// cudaGetLastError() after a kernel launch must not report this call's error as the launch's.
inline void check_call(cudaError_t status, const char* what, const char* file, int line) {
  if (status == cudaSuccess) return;
  (void)cudaGetLastError();
  std::string_view path(file);
  std::string_view name = path.substr(path.find_last_of('/') + 1);
  std::string fix = status == cudaErrorMemoryAllocation
                        ? "give the case a smaller size_mib, or free GPU memory (nvidia-smi shows who holds it)"
                        : "run `sparkbench doctor`; if `nvidia-smi` also reports errors, the driver or the "
                          "GPU needs attention (reset or reboot) before benchmarking";
  throw Error(fmt::format("CUDA call {} failed ({}:{}): {} ({})", what, name, line,
                          cudaGetErrorString(status), cudaGetErrorName(status)),
              std::move(fix), kExitFailure);
}

// The same for cuBLAS; its status carries no sticky runtime state to clear.
inline void check_call(cublasStatus_t status, const char* what, const char* file, int line) {
  if (status == CUBLAS_STATUS_SUCCESS) return;
  std::string_view path(file);
  throw Error(fmt::format("cuBLAS call {} failed ({}:{}): {} ({})", what, path.substr(path.find_last_of('/') + 1), line,
                          cublasGetStatusString(status), cublasGetStatusName(status)),
              "run `sparkbench doctor`; if `nvidia-smi` also reports errors, the driver or the GPU needs attention "
              "(reset or reboot) before benchmarking",
              kExitFailure);
}

// The device this process uses, with its primary context created (so that its cost is paid here,
// never inside a timed region). Throws sb::Unavailable with the runtime's reason when there is no
// usable device: no driver, no GPU visible to this process or container, device busy.
inline int usable_device() {
  if (const GpuPresence& gpu = gpu_presence(); !gpu.present) throw Unavailable(gpu.reason);
  int device = 0;
  if (cudaError_t e = cudaGetDevice(&device); e != cudaSuccess)
    throw Unavailable(fmt::format("no usable CUDA device: {} ({})", cudaGetErrorString(e), cudaGetErrorName(e)));
  if (cudaError_t e = cudaFree(nullptr); e != cudaSuccess)
    throw Unavailable(fmt::format("CUDA device {} cannot be used: {} ({})", device, cudaGetErrorString(e),
                                  cudaGetErrorName(e)));
  (void)cudaGetLastError();  // an error some earlier code left unread is not this case's
  return device;
}

}  // namespace sb::cuda

#define SB_CUDA_CHECK(call) ::sb::cuda::check_call((call), #call, __FILE__, __LINE__)
#define SB_CUBLAS_CHECK(call) ::sb::cuda::check_call((call), #call, __FILE__, __LINE__)

#endif  // SPARKBENCH_HAVE_CUDA
