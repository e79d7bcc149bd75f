// CUDA runtime, driver and cuBLAS versions and the devices as CUDA numbers them (CUDA builds
// only). Without a driver every call's error is recorded as text; nothing throws.
#include <cublas_v2.h>
#include <cuda_runtime_api.h>
#include <library_types.h>

#include <fmt/format.h>

#include "core/cuda_uuid.hpp"
#include "core/gpu_presence.hpp"
#include "env/readers.hpp"

namespace sb::env {
namespace {

// 12080 -> "12.8": CUDA's 1000 * major + 10 * minor encoding.
std::string cuda_version_text(int v) { return fmt::format("{}.{}", v / 1000, v % 1000 / 10); }

std::string error_text(const char* call, cudaError_t e) {
  if (e == cudaErrorInsufficientDriver && !cuda_driver_loadable()) return fmt::format("{}: {}", call, kNoDriverReason);
  return fmt::format("{}: {} ({})", call, cudaGetErrorName(e), cudaGetErrorString(e));
}

nlohmann::json cublas_section() {
  int major = 0, minor = 0, patch = 0;
  // cublasGetProperty needs no handle (a handle would need a device and allocate on it).
  if (cublasGetProperty(MAJOR_VERSION, &major) != CUBLAS_STATUS_SUCCESS ||
      cublasGetProperty(MINOR_VERSION, &minor) != CUBLAS_STATUS_SUCCESS ||
      cublasGetProperty(PATCH_LEVEL, &patch) != CUBLAS_STATUS_SUCCESS)
    return {{"version", nullptr}, {"error", "cublasGetProperty failed"}};
  return {{"version", fmt::format("{}.{}.{}", major, minor, patch)},
          {"built_with_cudart", cuda_version_text(static_cast<int>(cublasGetCudartVersion()))}};
}

// The device's free and total memory as CUDA reports them (cudaMemGetInfo, which creates the
// device's primary context). On an integrated GPU (GB10) "free" follows the host's MemFree, which
// leaves out the page cache: a warm cache shrinks what an engine sizing its KV cache on it gets.
// The call's error in place of the numbers when it fails. The thread's current device is left as it was.
void add_memory_info(nlohmann::json& device, int d) {
  std::size_t free = 0, total = 0;
  int current = 0;
  const bool have_current = cudaGetDevice(&current) == cudaSuccess;
  const char* call = "cudaSetDevice";
  cudaError_t e = cudaSetDevice(d);
  if (e == cudaSuccess) {
    call = "cudaMemGetInfo";
    e = cudaMemGetInfo(&free, &total);
  }
  if (have_current) cudaSetDevice(current);
  if (e != cudaSuccess) {
    device["memory_free_bytes"] = nullptr;
    device["memory_total_bytes"] = nullptr;
    device["memory_info_error"] = error_text(call, e);
    return;
  }
  device["memory_free_bytes"] = free;
  device["memory_total_bytes"] = total;
}

}  // namespace

nlohmann::json capture_cuda() {
  nlohmann::json j = {{"available", true}};
  nlohmann::json errors = nlohmann::json::array();

  int runtime = 0;
  const cudaError_t re = cudaRuntimeGetVersion(&runtime);
  if (re != cudaSuccess) errors.push_back(error_text("cudaRuntimeGetVersion", re));
  j["runtime_version"] =
      re == cudaSuccess ? nlohmann::json(cuda_version_text(runtime)) : nlohmann::json(nullptr);

  int driver = 0;
  const cudaError_t de = cudaDriverGetVersion(&driver);
  if (de != cudaSuccess) errors.push_back(error_text("cudaDriverGetVersion", de));
  // 0 means no driver is installed (or none was mounted into the container).
  j["driver_version"] = de == cudaSuccess && driver > 0 ? nlohmann::json(cuda_version_text(driver))
                                                        : nlohmann::json(nullptr);
  j["cublas"] = cublas_section();

  int count = 0;
  nlohmann::json devices = nlohmann::json::array();
  if (const cudaError_t e = cudaGetDeviceCount(&count); e != cudaSuccess) {
    errors.push_back(error_text("cudaGetDeviceCount", e));
    j["available"] = false;
    j["reason"] = errors.back();
    j["device_count"] = nullptr;
  } else {
    j["device_count"] = count;
  }
  for (int d = 0; d < count; ++d) {
    cudaDeviceProp p{};
    if (const cudaError_t e = cudaGetDeviceProperties(&p, d); e != cudaSuccess) {
      devices.push_back({{"index", d}, {"error", error_text("cudaGetDeviceProperties", e)}});
      continue;
    }
    char bus[32] = {};
    const bool have_bus = cudaDeviceGetPCIBusId(bus, sizeof bus, d) == cudaSuccess;
    devices.push_back({{"index", d},
                       {"name", p.name},
                       {"uuid", cuda::uuid_text(p.uuid)},
                       {"pci_bus_id", have_bus ? nlohmann::json(bus) : nlohmann::json(nullptr)},
                       {"compute_capability", fmt::format("{}.{}", p.major, p.minor)},
                       {"sm_count", p.multiProcessorCount},
                       {"total_memory_bytes", p.totalGlobalMem},
                       // An integrated GPU (GB10, Jetson) shares host memory: the page cache competes with it.
                       {"integrated", p.integrated != 0},
                       {"pageable_memory_uses_host_page_tables", p.pageableMemoryAccessUsesHostPageTables != 0}});
    add_memory_info(devices.back(), d);
  }
  j["devices"] = devices;
  j["errors"] = errors;
  return j;
}

}  // namespace sb::env
