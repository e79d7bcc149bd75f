// The GPUs as NVML sees them: identity, driver, clocks, power limit, persistence. Works in a
// CPU-only build and without a driver ({available: false, reason}).
#include <fmt/format.h>

#include "env/readers.hpp"
#include "telemetry/nvml_library.hpp"
#include "telemetry/telemetry.hpp"

namespace sb::env {
namespace {

namespace nvml = telemetry::nvml;
using nvml::Library;

class DeviceReader {
 public:
  DeviceReader(const Library& lib, nvml::Device d) : lib_(lib), d_(d) {}

  template <class Fn, class... Args>
  nlohmann::json uint(const char* key, double scale, Fn fn, Args... args) {
    std::string error;
    const auto r = nvml::query<unsigned int>(fn, &error, d_, args...);
    note(key, error);
    return r ? nlohmann::json(static_cast<double>(*r) * scale) : nlohmann::json(nullptr);
  }

  nlohmann::json text(const char* key, Library::TextQuery fn, unsigned size) {
    std::string error;
    const auto r = lib_.device_text(fn, d_, size, &error);
    note(key, error);
    return or_null(r);
  }

  void note(const char* key, const std::string& error) {
    if (!error.empty()) errors_[key] = error;
  }
  const nlohmann::json& errors() const { return errors_; }

 private:
  const Library& lib_;
  nvml::Device d_;
  nlohmann::json errors_ = nlohmann::json::object();
};

nlohmann::json device_section(const Library& lib, unsigned index, nvml::Device d) {
  DeviceReader r(lib, d);
  nlohmann::json j = {{"index", index}};
  j["name"] = r.text("name", lib.device_get_name, nvml::kNameBufferSize);
  j["uuid"] = r.text("uuid", lib.device_get_uuid, nvml::kUuidBufferSize);
  j["vbios_version"] = r.text("vbios_version", lib.device_get_vbios_version,
                              nvml::kVbiosVersionBufferSize);

  std::string error;
  const auto p = nvml::query<int>(lib.device_get_persistence_mode, &error, d);
  r.note("persistence_mode", error);
  j["persistence_mode"] = p ? nlohmann::json(*p == nvml::kFeatureEnabled) : nlohmann::json(nullptr);

  // The enforced limit is what the GPU obeys (the lower of the management limit and others).
  j["power_limit_w"] = r.uint("power_limit_w", 1e-3, lib.device_get_enforced_power_limit);
  j["power_management_limit_w"] =
      r.uint("power_management_limit_w", 1e-3, lib.device_get_power_management_limit);
  j["power_draw_w"] = r.uint("power_draw_w", 1e-3, lib.device_get_power_usage);
  j["sm_clock_mhz"] = r.uint("sm_clock_mhz", 1, lib.device_get_clock_info, nvml::kClockSm);
  j["mem_clock_mhz"] = r.uint("mem_clock_mhz", 1, lib.device_get_clock_info, nvml::kClockMem);
  j["app_sm_clock_mhz"] =
      r.uint("app_sm_clock_mhz", 1, lib.device_get_applications_clock, nvml::kClockSm);
  j["app_mem_clock_mhz"] =
      r.uint("app_mem_clock_mhz", 1, lib.device_get_applications_clock, nvml::kClockMem);
  j["max_sm_clock_mhz"] = r.uint("max_sm_clock_mhz", 1, lib.device_get_max_clock_info, nvml::kClockSm);
  j["max_mem_clock_mhz"] =
      r.uint("max_mem_clock_mhz", 1, lib.device_get_max_clock_info, nvml::kClockMem);
  j["temperature_c"] = r.uint("temperature_c", 1, lib.device_get_temperature, nvml::kTemperatureGpu);

  error.clear();
  const auto m = nvml::query<nvml::Memory>(lib.device_get_memory_info, &error, d);
  r.note("memory_total_bytes", error);
  // DGX Spark's unified memory answers "not supported": null, never 0.
  j["memory_total_bytes"] = m ? nlohmann::json(m->total) : nlohmann::json(nullptr);

  error.clear();
  const auto reasons =
      nvml::query<unsigned long long>(lib.device_get_clocks_event_reasons, &error, d);
  r.note("throttle_reasons", error);
  j["throttle_reasons"] = reasons ? nlohmann::json(telemetry::throttle_reason_names(*reasons, true))
                                  : nlohmann::json(nullptr);
  j["errors"] = r.errors();
  return j;
}

}  // namespace

nlohmann::json capture_gpu() {
  const Library& lib = Library::instance();
  if (!lib.available()) return {{"available", false}, {"reason", lib.unavailable_reason()}};

  nlohmann::json j = {{"available", true}};
  char driver[nvml::kDriverVersionBufferSize] = {};
  const nvml::Return rc = Library::call(lib.system_get_driver_version, driver,
                                        nvml::kDriverVersionBufferSize);
  j["driver_version"] = rc == nvml::kSuccess ? nlohmann::json(std::string(driver)) : nullptr;
  int cuda = 0;
  const nvml::Return crc = Library::call(lib.system_get_cuda_driver_version, &cuda);
  // The CUDA version the driver supports, encoded 1000 * major + 10 * minor (12040 -> 12.4).
  j["cuda_driver_version"] =
      crc == nvml::kSuccess ? nlohmann::json(fmt::format("{}.{}", cuda / 1000, cuda % 1000 / 10))
                            : nullptr;

  unsigned int count = 0;
  if (const nvml::Return cnt = lib.device_get_count(&count); cnt != nvml::kSuccess) {
    j["device_count"] = nullptr;
    j["error"] = fmt::format("nvmlDeviceGetCount: {}", lib.error_string(cnt));
    return j;
  }
  j["device_count"] = count;
  nlohmann::json devices = nlohmann::json::array();
  for (unsigned i = 0; i < count; ++i) {
    nvml::Device d = nullptr;
    if (const nvml::Return h = lib.device_get_handle_by_index(i, &d); h != nvml::kSuccess) {
      devices.push_back({{"index", i}, {"error", lib.error_string(h)}});
      continue;
    }
    devices.push_back(device_section(lib, i, d));
  }
  j["devices"] = devices;
  return j;
}

}  // namespace sb::env
