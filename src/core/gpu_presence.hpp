#pragma once
#include <optional>
#include <string>

namespace sb {

struct GpuPresence {
  bool present = false;
  int device_count = 0;
  std::string reason;  // why no GPU can be used (empty when present)
  // Of device 0, as the number 90 for 9.0 (the device the env snapshot lists first); nullopt
  // without a GPU.
  std::optional<int> compute_capability;
};

// Whether this process can use a CUDA device. Never throws; cached after the first call.
const GpuPresence& gpu_presence();

// Whether the NVIDIA driver's user-space library, libcuda.so.1, can be loaded. The CUDA runtime
// reports its absence as cudaErrorInsufficientDriver ("CUDA driver version is insufficient"),
// which would send someone without any driver looking for a newer one.
bool cuda_driver_loadable();
inline constexpr const char* kNoDriverReason = "no NVIDIA driver found (libcuda.so.1 could not be loaded)";

}  // namespace sb
