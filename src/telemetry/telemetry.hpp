#pragma once
// GPU telemetry: NVML loaded at run time with dlopen (the binary must start where no driver
// exists), sampled on its own thread. A field the device does not support is absent, never 0.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
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

// One field's readings over a case's measurement.
struct FieldSummary {
  double mean = 0, min = 0, max = 0;
  std::size_t n = 0;  // readings: samples that had the field
};

// The throttle reasons the samples saw.
struct ThrottleSummary {
  std::uint64_t mask = 0;              // every bit seen
  std::vector<std::string> names;      // throttle_reason_names(mask): the benign ones left out
  std::vector<std::string> all_names;  // throttle_reason_names(mask, true)
  std::size_t n = 0;                   // samples that read the mask
  std::size_t samples_limited = 0;     // samples with a reason other than the benign ones
};

// A case's telemetry summary (the record's telemetry.summary): per field mean/min/max over the
// timeline, absent where no sample had the field (never 0), plus the throttle reasons seen.
struct Summary {
  std::size_t samples = 0;
  std::optional<double> duration_s;  // last sample's time minus the first's; absent without samples
  std::optional<FieldSummary> gpu_util_pct, mem_util_pct, sm_clock_mhz, mem_clock_mhz, power_w, temperature_c,
      mem_used_mib;
  std::optional<ThrottleSummary> throttle_reasons;  // absent when no sample read the mask
  // The summary of several rounds (merge), written as comparisons have always written pooled rounds:
  // the fields (n as a JSON float) and the throttle reasons' names and mask, nothing else.
  bool merged = false;

  // The field of that JSON name ("sm_clock_mhz"); nullptr when absent or not a field.
  const FieldSummary* field(std::string_view name) const;
  // Adds another round's summary: per field the mean weighted by the readings (n), the min of the
  // minima, the max of the maxima, the readings summed (a field only one side has is taken as it
  // is); the throttle names united in the order first seen, the masks or-ed, the counts summed;
  // the samples and durations summed. Marks this summary merged.
  void merge(const Summary& other);
};

// The summary of a timeline, absent fields skipped.
Summary summarize(const std::vector<Sample>& timeline);
nlohmann::json to_json(const Summary& s);
// A record's summary; a field needs a numeric mean (min and max default to it, n to 1), anything
// else is left out. Not an object: an empty summary.
Summary summary_from_json(const nlohmann::json& j);

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
