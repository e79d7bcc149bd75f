#pragma once
// The GPU's energy counter (NVML nvmlDeviceGetTotalEnergyConsumption, millijoules since the driver
// loaded, Volta and newer), read around each generation. The GPU is found by UUID because CUDA and
// NVML number devices differently under CUDA_VISIBLE_DEVICES or CUDA_DEVICE_ORDER. Where the
// counter cannot be read (no NVML, an older GPU, a MIG instance, DGX Spark if it does not report
// it) the meter is unavailable with the reason; nothing throws.
#include <optional>
#include <string>

#include "telemetry/nvml_library.hpp"

namespace sb::llm_workload {

class EnergyMeter {
 public:
  // `gpu_uuid` in NVML's form, "GPU-xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx".
  explicit EnergyMeter(const std::string& gpu_uuid);

  bool available() const { return reason_.empty(); }
  const std::string& unavailable_reason() const { return reason_; }
  // The counter in millijoules; nullopt (and unavailable from then on, with the reason) when the
  // reading fails.
  std::optional<unsigned long long> read_millijoules();

 private:
  telemetry::nvml::Device device_ = nullptr;
  std::string reason_;
};

}  // namespace sb::llm_workload
