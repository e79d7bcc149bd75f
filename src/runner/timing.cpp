#include "runner/timing.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <stdexcept>
#include <string>

#include <fmt/format.h>

#include "core/error.hpp"

namespace sb::runner {
namespace {

// Units each Derived quantity can be reported in: the factor from its SI value (seconds, bytes/s,
// FLOP/s, operations/s) to the unit.
const std::map<std::string, double>& unit_scales(Derived d) {
  static const std::map<std::string, double> time{{"s", 1.0}, {"ms", 1e3}, {"us", 1e6}, {"ns", 1e9}};
  static const std::map<std::string, double> bytes{{"GB/s", 1e-9}, {"MB/s", 1e-6}, {"GiB/s", 1.0 / (1 << 30)}};
  static const std::map<std::string, double> flops{{"GFLOP/s", 1e-9}, {"TFLOP/s", 1e-12}};
  static const std::map<std::string, double> operations{{"1/s", 1.0}, {"op/s", 1.0}};
  static const std::map<std::string, double> none;
  switch (d) {
    case Derived::Time: return time;
    case Derived::Bytes: return bytes;
    case Derived::Flops: return flops;
    case Derived::Operations: return operations;
    case Derived::Measured: return none;
  }
  return none;
}

double host_seconds(HostOperation& op, std::uint64_t n) {
  using Clock = std::chrono::steady_clock;
  const auto t0 = Clock::now();
  op.batch(n);
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

}  // namespace

std::uint64_t calibrate(const std::function<double(std::uint64_t n)>& seconds_for, const Sizing& sizing) {
  if (sizing.fixed > 0) return sizing.fixed;
  const double target = std::chrono::duration<double>(sizing.target).count();
  const std::uint64_t most = std::max<std::uint64_t>(1, sizing.max_operations);
  // A clock that reads 0 for n operations says only that they took less than its resolution.
  const auto scaled = [&](std::uint64_t n, double s) {
    if (!(s > 0)) return most;
    // Rounded up (a repetition lasts at least the target), but not for rounding error's last bit.
    const double wanted = std::ceil(static_cast<double>(n) * target / s - 1e-6);
    return static_cast<std::uint64_t>(std::clamp(wanted, 1.0, static_cast<double>(most)));
  };
  (void)seconds_for(1);
  std::uint64_t n = 1;
  double s = seconds_for(n);
  while (s < target / 10 && n < most) s = seconds_for(n = std::min(most, n * 2));
  n = scaled(n, s);
  s = seconds_for(n);
  if (s < target / 2 || s > target * 2) n = scaled(n, s);
  return n;
}

double derived_value(const MetricSpec& metric, double seconds_per_operation, const OperationCost& cost) {
  const auto& scales = unit_scales(metric.derived);
  const auto it = scales.find(metric.unit);
  if (it == scales.end())
    throw std::logic_error(fmt::format("metric '{}': the harness derives no value in unit '{}'", metric.name, metric.unit));
  const double per_second = 1.0 / seconds_per_operation;
  switch (metric.derived) {
    case Derived::Time: return seconds_per_operation * it->second;
    case Derived::Bytes: return cost.bytes * per_second * it->second;
    case Derived::Flops: return cost.flops * per_second * it->second;
    case Derived::Operations: return cost.items * per_second * it->second;
    case Derived::Measured: break;
  }
  throw std::logic_error(fmt::format("metric '{}' is measured by its case, not derived", metric.name));
}

#if !SPARKBENCH_HAVE_CUDA
struct DeviceTimer::Events {};
DeviceTimer::DeviceTimer(CUstream_st* stream) : stream_(stream) {
  throw Unavailable("this sparkbench was built without CUDA: a GPU-timed case cannot run");
}
DeviceTimer::~DeviceTimer() = default;
double DeviceTimer::seconds(DeviceOperation&, std::uint64_t) { return 0; }
#endif

CaseTimer::CaseTimer(CaseRun& run, std::span<const MetricSpec> metrics) : run_(run), metrics_(metrics) {
  program_ = dynamic_cast<ProgramCase*>(&run);
  host_ = dynamic_cast<HostOperation*>(&run);
  device_ = dynamic_cast<DeviceOperation*>(&run);
  if (!program_ && !host_ && !device_)
    throw std::logic_error("a case must be a ProgramCase, a HostOperation or a DeviceOperation");
  if (program_) return;
  for (const auto& m : metrics_)
    if (m.derived != Derived::Measured) (void)derived_value(m, 1.0, {});  // a bad unit fails before any timing
  const TimedOperation& timed = host_ ? static_cast<TimedOperation&>(*host_) : *device_;
  sizing_ = timed.sizing();
  if (device_) device_timer_ = std::make_unique<DeviceTimer>(device_->stream());
  operations_ = calibrate([this](std::uint64_t n) { return seconds(n); }, sizing_);
}

CaseTimer::~CaseTimer() = default;

double CaseTimer::seconds(std::uint64_t n) {
  TimedOperation& timed = host_ ? static_cast<TimedOperation&>(*host_) : *device_;
  timed.prepare(n);
  const double s = host_ ? host_seconds(*host_, n) : device_timer_->seconds(*device_, n);
  timed.finish(n);
  return s;
}

Measurement CaseTimer::repetition() {
  if (program_) return program_->run();
  const double per_operation = seconds(operations_) / static_cast<double>(operations_);
  if (!(per_operation > 0))
    throw std::runtime_error(fmt::format("{} operations took no measurable time: the clock's resolution is too coarse",
                                         operations_));
  const TimedOperation& timed = host_ ? static_cast<TimedOperation&>(*host_) : *device_;
  Measurement m;
  const OperationCost cost = timed.cost();
  for (const auto& metric : metrics_)
    if (metric.derived != Derived::Measured) m[metric.name] = derived_value(metric, per_operation, cost);
  timed.add_measured(per_operation, m);
  return m;
}

nlohmann::json CaseTimer::info() const {
  if (program_) return nlohmann::json::object();
  nlohmann::json j{{"timer", host_ ? "the host's steady clock around operations_per_repetition operations"
                                   : "CUDA events around operations_per_repetition operations on the case's stream"},
                   {"operations_per_repetition", operations_}};
  if (sizing_.fixed > 0)
    j["sizing"] = "fixed by the case's parameters";
  else
    j["sizing"] = fmt::format("calibrated to about {:g} ms per repetition (at most {} operations)",
                              std::chrono::duration<double, std::milli>(sizing_.target).count(), sizing_.max_operations);
  return j;
}

}  // namespace sb::runner
