#include "telemetry/nvml_library.hpp"

#include <dlfcn.h>

#include <fmt/format.h>

namespace sb::telemetry::nvml {
namespace {

constexpr const char* kLibraryName = "libnvidia-ml.so.1";  // the soname every driver installs

template <class Fn>
void bind(void* handle, const char* symbol, Fn& out) {
  out = reinterpret_cast<Fn>(dlsym(handle, symbol));
}

}  // namespace

const Library& Library::instance() {
  static Library library;  // C++11 guarantees one thread-safe initialisation
  return library;
}

Library::Library() {
  handle_ = dlopen(kLibraryName, RTLD_NOW | RTLD_LOCAL);
  if (!handle_) {
    const char* why = dlerror();
    reason_ = fmt::format("{} could not be loaded ({}): no NVIDIA driver on this machine, or, in a "
                          "container, the GPU was not passed in (--gpus all / CDI)",
                          kLibraryName, why ? why : "unknown reason");
    return;
  }
  Return (*init)() = nullptr;
  bind(handle_, "nvmlInit_v2", init);
  bind(handle_, "nvmlShutdown", shutdown_);
  bind(handle_, "nvmlErrorString", error_string_);
  bind(handle_, "nvmlDeviceGetCount_v2", device_get_count);
  bind(handle_, "nvmlDeviceGetHandleByIndex_v2", device_get_handle_by_index);
  if (!init || !shutdown_ || !error_string_ || !device_get_count || !device_get_handle_by_index) {
    reason_ = fmt::format("{} lacks nvmlInit_v2/nvmlDeviceGetHandleByIndex_v2: driver too old",
                          kLibraryName);
    return;
  }
  bind(handle_, "nvmlDeviceGetName", device_get_name);
  bind(handle_, "nvmlDeviceGetUUID", device_get_uuid);
  bind(handle_, "nvmlDeviceGetVbiosVersion", device_get_vbios_version);
  bind(handle_, "nvmlSystemGetDriverVersion", system_get_driver_version);
  bind(handle_, "nvmlSystemGetCudaDriverVersion_v2", system_get_cuda_driver_version);
  bind(handle_, "nvmlDeviceGetUtilizationRates", device_get_utilization_rates);
  bind(handle_, "nvmlDeviceGetClockInfo", device_get_clock_info);
  bind(handle_, "nvmlDeviceGetMaxClockInfo", device_get_max_clock_info);
  bind(handle_, "nvmlDeviceGetApplicationsClock", device_get_applications_clock);
  bind(handle_, "nvmlDeviceGetPowerUsage", device_get_power_usage);
  bind(handle_, "nvmlDeviceGetPowerManagementLimit", device_get_power_management_limit);
  bind(handle_, "nvmlDeviceGetEnforcedPowerLimit", device_get_enforced_power_limit);
  bind(handle_, "nvmlDeviceGetTemperature", device_get_temperature);
  bind(handle_, "nvmlDeviceGetCurrentClocksEventReasons", device_get_clocks_event_reasons);
  if (!device_get_clocks_event_reasons)
    bind(handle_, "nvmlDeviceGetCurrentClocksThrottleReasons", device_get_clocks_event_reasons);
  bind(handle_, "nvmlDeviceGetMemoryInfo", device_get_memory_info);
  bind(handle_, "nvmlDeviceGetPersistenceMode", device_get_persistence_mode);
  bind(handle_, "nvmlDeviceGetTotalEnergyConsumption", device_get_total_energy_consumption);

  const Return rc = init();
  if (rc != kSuccess) {
    reason_ = fmt::format("nvmlInit failed: {}", error_string(rc));
    shutdown_ = nullptr;  // nothing to shut down
    return;
  }
  available_ = true;
}

Library::~Library() {
  // The library stays mapped: NVML may keep threads until process exit, and unmapping their code
  // would be worse than the few pages it costs.
  if (available_) shutdown_();
}

std::string Library::error_string(Return rc) const {
  const char* text = error_string_ ? error_string_(rc) : nullptr;
  return text ? fmt::format("{} (NVML error {})", text, rc) : fmt::format("NVML error {}", rc);
}

std::optional<std::string> Library::device_text(TextQuery fn, Device d, unsigned size,
                                                std::string* error) const {
  std::string buffer(size, '\0');
  const Return rc = call(fn, d, buffer.data(), size);
  if (rc != kSuccess) {
    if (rc != kErrorNotSupported && error) *error = error_string(rc);
    return std::nullopt;
  }
  return std::string(buffer.c_str());  // NVML NUL-terminates within size
}

}  // namespace sb::telemetry::nvml
