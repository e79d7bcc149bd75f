#pragma once
// The canary: about a second of fixed work that says how fast the machine itself is right now, run
// at the start and end of every round of `ab`, in each environment. GB10 units get stuck in
// low-power states that nvidia-smi does not show (clocks capped at 500-850 MHz after a USB-PD fault;
// steps flipping between 63 and 94 ms with the same reported clocks, only the power differing):
// when the canary moves with the workload, the machine changed, not the container. Three probes,
// each timed by the harness (runner/timing): a single-core CPU loop, a device-memory read and a
// bf16 GEMM, with the GPU's power and clocks sampled while they run.
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "telemetry/telemetry.hpp"
#include "workload/workload.hpp"

namespace sb::canary {

struct Probe {
  std::string name;  // "cpu_loop", "device_read", "bf16_gemm"
  MetricSpec metric;
  double value = 0;  // the median of its repetitions
  std::vector<double> repetitions;
};

struct Result {
  std::vector<Probe> probes;
  std::optional<telemetry::Summary> telemetry;  // sampled during the GPU probes (absent without NVML)
  std::string skipped;                 // why the GPU probes did not run ("" when they did)
  double duration_s = 0;
};

// Runs the probes: the CPU loop always, the GPU probes when `gpu` (and a GPU is usable; otherwise
// `skipped` says why). Throws only for a wrong result (a probe's check against its CPU reference).
Result run(bool gpu);

nlohmann::json to_json(const Result& r);  // {probes: {name: {value, unit, better, repetitions}}, telemetry, skipped, duration_s}

// The probes on the GPU (canary/gpu_probes_cuda.cpp in CUDA builds); each a DeviceOperation whose
// result the constructor checked against a CPU reference.
std::vector<std::pair<std::string, std::unique_ptr<CaseRun>>> gpu_probes();
std::vector<MetricSpec> gpu_probe_metrics(const std::string& name);

}  // namespace sb::canary
