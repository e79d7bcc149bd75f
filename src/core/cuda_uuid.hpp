#pragma once
// A CUDA device's UUID in NVML's form, "GPU-xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", to pair CUDA and
// NVML devices (their indices differ under CUDA_VISIBLE_DEVICES or CUDA_DEVICE_ORDER=FASTEST_FIRST).
// CUDA builds only.
#include <string>

#include <cuda_runtime_api.h>
#include <fmt/format.h>

namespace sb::cuda {

inline std::string uuid_text(const cudaUUID_t& u) {
  std::string s = "GPU-";
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) s += '-';
    s += fmt::format("{:02x}", static_cast<unsigned char>(u.bytes[i]));
  }
  return s;
}

}  // namespace sb::cuda
