#include "workloads/llm/llm_energy.hpp"

#include <fmt/format.h>

namespace sb::llm_workload {

namespace nvml = telemetry::nvml;

EnergyMeter::EnergyMeter(const std::string& gpu_uuid) {
  const nvml::Library& lib = nvml::Library::instance();
  if (!lib.available()) {
    reason_ = lib.unavailable_reason();
    return;
  }
  unsigned int count = 0;
  if (const nvml::Return rc = lib.device_get_count(&count); rc != nvml::kSuccess) {
    reason_ = fmt::format("nvmlDeviceGetCount failed: {}", lib.error_string(rc));
    return;
  }
  for (unsigned int i = 0; i < count; ++i) {
    nvml::Device d = nullptr;
    if (lib.device_get_handle_by_index(i, &d) != nvml::kSuccess) continue;
    if (lib.device_text(lib.device_get_uuid, d, nvml::kUuidBufferSize, nullptr) == gpu_uuid) {
      device_ = d;
      break;
    }
  }
  if (!device_) {
    reason_ = fmt::format("no NVML device has the CUDA device's UUID {} (a MIG instance has no energy counter "
                          "of its own)",
                          gpu_uuid);
    return;
  }
  if (!lib.device_get_total_energy_consumption) {
    reason_ = "this driver's NVML has no nvmlDeviceGetTotalEnergyConsumption";
    return;
  }
  // GPUs older than Volta answer "not supported" here, which makes the meter unavailable.
  (void)read_millijoules();
}

std::optional<unsigned long long> EnergyMeter::read_millijoules() {
  if (!device_ || !reason_.empty()) return std::nullopt;
  unsigned long long millijoules = 0;
  const nvml::Return rc = nvml::Library::call(nvml::Library::instance().device_get_total_energy_consumption, device_,
                                              &millijoules);
  if (rc == nvml::kSuccess) return millijoules;
  reason_ = fmt::format("nvmlDeviceGetTotalEnergyConsumption: {}", nvml::Library::instance().error_string(rc));
  return std::nullopt;
}

}  // namespace sb::llm_workload
