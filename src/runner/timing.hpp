#pragma once
// The harness's clock: every repetition of every case becomes a Measurement here. A timed case
// (HostOperation, DeviceOperation) declares what one operation is; this file sizes a repetition to
// the case's target duration (one calibrator for both clocks), times it (the host's steady clock,
// or CUDA events on the case's stream) and derives time, bytes/s, FLOP/s and operations/s in each
// metric's unit. A ProgramCase times itself (the escape hatch).
#include <cstdint>
#include <functional>
#include <memory>
#include <span>

#include <nlohmann/json.hpp>

#include "workload/workload.hpp"

namespace sb::runner {

// Operations per repetition so that one lasts about sizing.target: a first call absorbs one-off
// costs (page faults, lazy binding, a kernel's first load), doubling probes find a count that takes
// a tenth of the target, and the scaled-up count runs once to confirm, since one disturbed short
// probe can be off by an order of magnitude. `seconds_for(n)` times n operations.
std::uint64_t calibrate(const std::function<double(std::uint64_t n)>& seconds_for, const Sizing& sizing);

// The value of a Derived metric, in its unit, from the time of one operation and what it moves.
// Throws std::logic_error for a unit the quantity has no scale for (a workload's mistake).
double derived_value(const MetricSpec& metric, double seconds_per_operation, const OperationCost& cost);

// Times n operations of a DeviceOperation with two CUDA events on its stream (runner/device_timer).
class DeviceTimer {
 public:
  explicit DeviceTimer(CUstream_st* stream);  // throws sb::Unavailable in a build without CUDA
  ~DeviceTimer();
  DeviceTimer(const DeviceTimer&) = delete;
  DeviceTimer& operator=(const DeviceTimer&) = delete;
  double seconds(DeviceOperation& op, std::uint64_t n);

 private:
  struct Events;
  std::unique_ptr<Events> events_;
  CUstream_st* stream_;
};

// One case's repetitions. Construction sizes a timed case's repetition (unless its Sizing is
// fixed); repetition() measures one (warm-up repetitions too) and returns every metric the case
// produced; info() says how it was timed, for the record.
class CaseTimer {
 public:
  CaseTimer(CaseRun& run, std::span<const MetricSpec> metrics);
  ~CaseTimer();
  Measurement repetition();
  nlohmann::json info() const;
  std::uint64_t operations_per_repetition() const { return operations_; }

 private:
  double seconds(std::uint64_t n);

  CaseRun& run_;
  std::span<const MetricSpec> metrics_;
  ProgramCase* program_ = nullptr;
  HostOperation* host_ = nullptr;
  DeviceOperation* device_ = nullptr;
  std::unique_ptr<DeviceTimer> device_timer_;
  Sizing sizing_;
  std::uint64_t operations_ = 1;
};

}  // namespace sb::runner
