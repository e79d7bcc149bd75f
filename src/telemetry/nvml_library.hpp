#pragma once
// NVML loaded with dlopen at run time. sparkbench never links libnvidia-ml: the binary must start on
// machines (and in containers) without an NVIDIA driver, and no nvml.h is needed to build it.
//
// The few types, constants and signatures used are declared here. Their values are those of
// NVIDIA's nvml.h (NVML API version 12), as published e.g. in github.com/XuehaiPan/nvml-dev/nvml.h:
//   nvmlReturn_t: NVML_SUCCESS = 0, NVML_ERROR_NOT_SUPPORTED = 3, ...
//   nvmlClockType_t: NVML_CLOCK_GRAPHICS = 0, NVML_CLOCK_SM = 1, NVML_CLOCK_MEM = 2
//   nvmlTemperatureSensors_t: NVML_TEMPERATURE_GPU = 0
//   nvmlEnableState_t: NVML_FEATURE_DISABLED = 0, NVML_FEATURE_ENABLED = 1
//   NVML_DEVICE_NAME_V2_BUFFER_SIZE 96, NVML_DEVICE_UUID_V2_BUFFER_SIZE 96,
//   NVML_SYSTEM_DRIVER_VERSION_BUFFER_SIZE 80, NVML_DEVICE_VBIOS_VERSION_BUFFER_SIZE 32
#include <optional>
#include <string>

namespace sb::telemetry::nvml {

using Return = int;  // nvmlReturn_t (a C enum: int-sized)
using Device = struct nvmlDevice_st*;

inline constexpr Return kSuccess = 0;
inline constexpr Return kErrorNotSupported = 3;
inline constexpr Return kErrorFunctionNotFound = 13;

inline constexpr int kClockGraphics = 0;
inline constexpr int kClockSm = 1;
inline constexpr int kClockMem = 2;
inline constexpr int kTemperatureGpu = 0;
inline constexpr int kFeatureEnabled = 1;

inline constexpr unsigned kNameBufferSize = 96;
inline constexpr unsigned kUuidBufferSize = 96;
inline constexpr unsigned kDriverVersionBufferSize = 80;
inline constexpr unsigned kVbiosVersionBufferSize = 32;

struct Utilization {  // nvmlUtilization_t
  unsigned int gpu;
  unsigned int memory;
};
struct Memory {  // nvmlMemory_t (v1), bytes
  unsigned long long total;
  unsigned long long free;
  unsigned long long used;
};

// The process-wide NVML: dlopen + nvmlInit_v2 once, on first use (thread-safe), nvmlShutdown at
// exit. A missing library, a missing required symbol or a failing nvmlInit leaves it unavailable
// with a reason; functions that only newer drivers export are null pointers when absent.
class Library {
 public:
  static const Library& instance();

  bool available() const { return available_; }
  const std::string& unavailable_reason() const { return reason_; }
  std::string error_string(Return rc) const;  // nvmlErrorString, or the number when unknown

  // Calls an optional entry point; one this driver does not export answers "function not found".
  template <class Fn, class... Args>
  static Return call(Fn fn, Args... args) {
    return fn ? fn(args...) : kErrorFunctionNotFound;
  }

  // A text query (name, UUID, versions): the string, or nullopt with *error set to NVML's
  // message (left empty for "not supported", which is no error).
  using TextQuery = Return (*)(Device, char*, unsigned int);
  std::optional<std::string> device_text(TextQuery fn, Device d, unsigned size,
                                         std::string* error) const;

  Return (*device_get_count)(unsigned int*) = nullptr;
  Return (*device_get_handle_by_index)(unsigned int, Device*) = nullptr;
  TextQuery device_get_name = nullptr;
  TextQuery device_get_uuid = nullptr;
  TextQuery device_get_vbios_version = nullptr;
  Return (*system_get_driver_version)(char*, unsigned int) = nullptr;
  Return (*system_get_cuda_driver_version)(int*) = nullptr;
  Return (*device_get_utilization_rates)(Device, Utilization*) = nullptr;
  Return (*device_get_clock_info)(Device, int clock_type, unsigned int* mhz) = nullptr;
  Return (*device_get_max_clock_info)(Device, int clock_type, unsigned int* mhz) = nullptr;
  Return (*device_get_applications_clock)(Device, int clock_type, unsigned int* mhz) = nullptr;
  Return (*device_get_power_usage)(Device, unsigned int* milliwatts) = nullptr;
  Return (*device_get_power_management_limit)(Device, unsigned int* milliwatts) = nullptr;
  Return (*device_get_enforced_power_limit)(Device, unsigned int* milliwatts) = nullptr;
  Return (*device_get_temperature)(Device, int sensor, unsigned int* celsius) = nullptr;
  // nvmlDeviceGetCurrentClocksEventReasons (drivers >= 535), else the older
  // nvmlDeviceGetCurrentClocksThrottleReasons: same signature, same bits.
  Return (*device_get_clocks_event_reasons)(Device, unsigned long long* mask) = nullptr;
  Return (*device_get_memory_info)(Device, Memory*) = nullptr;
  Return (*device_get_persistence_mode)(Device, int* enable_state) = nullptr;
  // Energy used since the driver was last loaded, in millijoules (Volta and newer).
  Return (*device_get_total_energy_consumption)(Device, unsigned long long* millijoules) = nullptr;

  Library(const Library&) = delete;
  Library& operator=(const Library&) = delete;

 private:
  Library();
  ~Library();
  void* handle_ = nullptr;
  bool available_ = false;
  std::string reason_;
  Return (*shutdown_)() = nullptr;
  const char* (*error_string_)(Return) = nullptr;
};

// Calls fn(args..., &value) and returns the value when NVML succeeded, nullopt otherwise. Errors
// other than "not supported" are written to *error (when given) with NVML's message, so that a
// lost GPU or a missing permission is reported rather than silently looking like an unsupported
// field. (The call and the read of its output are sequenced here, not left to the unspecified
// evaluation order of one call's arguments.)
template <class T, class Fn, class... Args>
std::optional<T> query(Fn fn, std::string* error, Args... args) {
  T value{};
  const Return rc = Library::call(fn, args..., &value);
  if (rc == kSuccess) return value;
  if (rc != kErrorNotSupported && error) *error = Library::instance().error_string(rc);
  return std::nullopt;
}

}  // namespace sb::telemetry::nvml
