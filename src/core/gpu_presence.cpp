#include "core/gpu_presence.hpp"

#include <dlfcn.h>

#if SPARKBENCH_HAVE_CUDA
#include <cuda_runtime_api.h>
#endif

namespace sb {

bool cuda_driver_loadable() {
  static const bool loadable = [] {
    void* handle = ::dlopen("libcuda.so.1", RTLD_LAZY | RTLD_LOCAL);
    if (handle) ::dlclose(handle);
    return handle != nullptr;
  }();
  return loadable;
}

const GpuPresence& gpu_presence() {
  static const GpuPresence cached = [] {
    GpuPresence g;
#if SPARKBENCH_HAVE_CUDA
    const cudaError_t rc = cudaGetDeviceCount(&g.device_count);
    if (rc != cudaSuccess) {
      g.device_count = 0;
      g.reason = rc == cudaErrorInsufficientDriver && !cuda_driver_loadable()
                     ? kNoDriverReason
                     : std::string("CUDA reports no usable device: ") + cudaGetErrorString(rc);
    } else if (g.device_count == 0) {
      g.reason = "CUDA reports 0 devices";
    }
    g.present = g.device_count > 0;
    int major = 0, minor = 0;
    if (g.present && cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, 0) == cudaSuccess &&
        cudaDeviceGetAttribute(&minor, cudaDevAttrComputeCapabilityMinor, 0) == cudaSuccess)
      g.compute_capability = major * 10 + minor;
#else
    g.reason = "this sparkbench was built without CUDA (no nvcc at build time)";
#endif
    return g;
  }();
  return cached;
}

}  // namespace sb
