#pragma once
// GPU telemetry: NVML loaded at run time with dlopen (the binary must start where no driver
// exists), sampled on its own thread. A field the device does not support is absent, never 0.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace sb::telemetry {

struct Sample {
  double t_s = 0;  // seconds since the sampler started
  std::optional<double> gpu_util_pct, mem_util_pct;
  std::optional<double> sm_clock_mhz, mem_clock_mhz;
  std::optional<double> power_w, temperature_c;
  std::optional<double> mem_used_mib;
  std::optional<std::uint64_t> throttle_reasons;  // NVML clocks-event reason bitmask
};

// Names of the throttle-reason bits set in mask ("sw_power_cap", "hw_thermal_slowdown", ...),
// excluding the benign "gpu_idle" and "applications_clocks_setting" unless include_benign.
std::vector<std::string> throttle_reason_names(std::uint64_t mask, bool include_benign = false);

nlohmann::json to_json(const Sample& s);  // absent fields are omitted
Sample sample_from_json(const nlohmann::json& j);

// Per-field mean/min/max over the timeline (absent fields skipped; a field with no value in any
// sample is absent from the summary), plus the union of throttle reasons seen.
nlohmann::json summarize(const std::vector<Sample>& timeline);

// Background sampler of one GPU. Construct, start(), stop() -> timeline. When NVML cannot be
// loaded or the device has no handle, available() is false and the timeline stays empty.
class NvmlSampler {
 public:
  explicit NvmlSampler(int device_index = 0,
                       std::chrono::milliseconds interval = std::chrono::milliseconds(100));
  ~NvmlSampler();
  NvmlSampler(const NvmlSampler&) = delete;
  NvmlSampler& operator=(const NvmlSampler&) = delete;

  bool available() const;
  std::string unavailable_reason() const;
  void start();
  std::vector<Sample> stop();
  Sample sample_now();  // one synchronous reading (also used to measure the sampler's own cost)

  // Fields that failed with an NVML error other than "not supported" (permission, GPU lost, ...):
  // {field: first error message}. Empty when every absent field is simply unsupported.
  nlohmann::json field_errors() const;
  // CPU time (user + system) the sampling thread used between the last start() and stop().
  double sampling_thread_cpu_s() const;

 private:
  struct Impl;
  Impl* impl_;
};

// The sampler's own cost on this machine: `samples` synchronous sample_now() calls (microseconds:
// median, p90, min, max), then a background sampler at `interval` for `run_for` (its thread's CPU
// seconds per wall second, samples taken vs expected). {available: false, reason} without NVML.
nlohmann::json measure_sampler_cost(int samples = 200,
                                    std::chrono::milliseconds run_for = std::chrono::seconds(2),
                                    std::chrono::milliseconds interval = std::chrono::milliseconds(100),
                                    int device_index = 0);

}  // namespace sb::telemetry
