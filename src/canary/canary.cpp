#include "canary/canary.hpp"

#include <chrono>
#include <cstdint>
#include <memory>

#include "core/gpu_presence.hpp"
#include "runner/timing.hpp"
#include "stats/stats.hpp"
#include "telemetry/telemetry.hpp"

namespace sb::canary {
namespace {

using Clock = std::chrono::steady_clock;
constexpr int kRepetitions = 5;
constexpr auto kRepetitionTarget = std::chrono::milliseconds(40);

// One step of a dependent integer chain (a 64-bit LCG and an xorshift): one core, no memory
// traffic, no vector units, so only the core's clock and its sharing move it.
class CpuLoop final : public HostOperation {
 public:
  void batch(std::uint64_t n) override {
    std::uint64_t x = state_;
    for (std::uint64_t i = 0; i < n; ++i) {
      x = x * 6364136223846793005ULL + 1442695040888963407ULL;
      x ^= x >> 29;
    }
    state_ = x;
  }
  Sizing sizing() const override { return {.target = kRepetitionTarget}; }

 private:
  volatile std::uint64_t state_ = 42;
};

const std::vector<MetricSpec> kCpuMetrics = {
    {.name = "ns_per_step", .unit = "ns", .better = Better::Lower, .help = "one step of a dependent integer chain",
     .derived = Derived::Time}};

Probe measure(const std::string& name, CaseRun& run, const std::vector<MetricSpec>& metrics) {
  runner::CaseTimer timer(run, metrics);
  (void)timer.repetition();  // warm-up
  Probe p{.name = name, .metric = metrics.front(), .value = 0, .repetitions = {}};
  for (int i = 0; i < kRepetitions; ++i) p.repetitions.push_back(timer.repetition().at(p.metric.name));
  p.value = stats::median(p.repetitions);
  return p;
}

}  // namespace

Result run(bool gpu) {
  const auto t0 = Clock::now();
  Result r;
  CpuLoop loop;
  r.probes.push_back(measure("cpu_loop", loop, kCpuMetrics));
  if (!gpu) {
    r.skipped = "not asked for (a CPU-only plan)";
  } else if (const auto presence = gpu_presence(); !presence.present) {
    r.skipped = presence.reason;
  } else {
    telemetry::NvmlSampler sampler(0, std::chrono::milliseconds(20));
    if (sampler.available()) sampler.start();
    for (auto& [name, probe] : gpu_probes()) r.probes.push_back(measure(name, *probe, gpu_probe_metrics(name)));
    if (sampler.available()) r.telemetry = telemetry::summarize(sampler.stop());
  }
  r.duration_s = std::chrono::duration<double>(Clock::now() - t0).count();
  return r;
}

nlohmann::json to_json(const Result& r) {
  nlohmann::json probes = nlohmann::json::object();
  for (const Probe& p : r.probes)
    probes[p.name] = {{"metric", p.metric.name},
                      {"value", p.value},
                      {"unit", p.metric.unit},
                      {"better", to_string(p.metric.better)},
                      {"repetitions", p.repetitions}};
  nlohmann::json j = {{"probes", probes},
                      {"telemetry", r.telemetry ? telemetry::to_json(*r.telemetry) : nlohmann::json(nullptr)},
                      {"duration_s", r.duration_s}};
  if (!r.skipped.empty()) j["gpu_skipped"] = r.skipped;
  return j;
}

#if !SPARKBENCH_HAVE_CUDA
std::vector<std::pair<std::string, std::unique_ptr<CaseRun>>> gpu_probes() { return {}; }
std::vector<MetricSpec> gpu_probe_metrics(const std::string&) { return {}; }
#endif

}  // namespace sb::canary
