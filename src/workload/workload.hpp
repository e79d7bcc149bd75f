#pragma once
// A workload is a small function plus a declarative registration of its parameter axes and
// metrics (the nvbench model). The runner owns warm-up, repetitions, stopping and telemetry; for a
// timed case (HostOperation, DeviceOperation) it also owns the clock: the case says what one
// operation is and what it moves, the harness (runner/timing) sizes, times and derives the rates.
//
//   SB_REGISTER_WORKLOAD(matmul, Workload{.name = "matmul", ..., .make = make_matmul_case});
//
// Adding a workload touches one folder: src/workloads/<name>/ (see src/workloads/CMakeLists.txt).
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

struct CUstream_st;  // cudaStream_t is CUstream_st*: named here without the CUDA headers

namespace sb {

enum class Better { Higher, Lower };
std::string to_string(Better b);
Better better_from_string(std::string_view s);  // "higher" | "lower"

// How the harness derives a metric of a timed case from the time of one operation, in the metric's
// unit: Time (s, ms, us, ns), Bytes per second (GB/s, MB/s, GiB/s), Flops per second (GFLOP/s,
// TFLOP/s), Operations per second (1/s, op/s). Measured: the case supplies it (add_measured, or
// run() for a ProgramCase).
enum class Derived { Measured, Time, Bytes, Flops, Operations };

struct MetricSpec {
  std::string name;  // e.g. "time_ms"
  std::string unit;  // e.g. "ms"
  Better better = Better::Lower;
  std::string help;
  Derived derived = Derived::Measured;
  // Reported only where the machine can measure it (energy needs an NVML energy counter). A case
  // that leaves it out of its first measured repetition records no such metric; one that reports
  // it must report it in every repetition. Never the primary metric.
  bool optional = false;
};

enum class Device { Cpu, Gpu };
std::string to_string(Device d);

// A rule a parameter's value must follow where choices and bounds cannot say it (e.g. "all" or a
// count). `accepts` sees the value after the type check; `says` is what `list` and the error show.
struct ParamRule {
  std::string says;
  std::function<bool(const std::string& value)> accepts;  // empty = every value
};

struct ParamSpec {
  enum class Type { Int, Float, String };
  std::string name;
  Type type = Type::String;
  std::vector<std::string> defaults;  // the default axis: one case per value
  std::vector<std::string> choices;   // allowed values; empty = any value of `type`
  std::string help;
  // Inclusive bounds of an Int or Float value (unset: unbounded on that side), and a rule beyond
  // them. Checked with the type and choices when a plan is made, before any case runs, so that
  // make() only ever sees values inside them.
  std::optional<double> min = std::nullopt, max = std::nullopt;
  ParamRule rule = {};
  // A knob of how to measure rather than of what is measured (matmul's `inner`): left out of the
  // names shown to people while it has its default (display_id).
  bool tuning = false;
};
std::string to_string(ParamSpec::Type t);
// The values a parameter's bounds and rule allow, e.g. "1 to 2147483647", "at least 0"; "" when
// any value of its type (and choices) will do.
std::string range_text(const ParamSpec& p);

// Upper bounds that the code's types set: a value the code holds in an int (a BLAS dimension, a
// thread or token count), and a size in MiB whose byte count fits a signed 64-bit byte count
// (off_t, ptrdiff_t), the bound of every `size_mib`.
inline constexpr double kMaxIntParam = std::numeric_limits<int>::max();
inline constexpr double kMaxSizeMib = static_cast<double>(std::numeric_limits<std::int64_t>::max() >> 20);

// The resolved parameter values of one case, by name, in their canonical text form.
class Params {
 public:
  Params() = default;
  explicit Params(std::map<std::string, std::string> values) : values_(std::move(values)) {}
  const std::string& str(const std::string& name) const;
  long long integer(const std::string& name) const;
  double real(const std::string& name) const;
  bool has(const std::string& name) const { return values_.count(name) != 0; }
  const std::map<std::string, std::string>& values() const { return values_; }
  void set(const std::string& name, std::string value) { values_[name] = std::move(value); }
  std::string id() const;  // "k1=v1,k2=v2" in name order; stable across runs

 private:
  std::map<std::string, std::string> values_;
};

struct CaseContext {
  std::uint64_t seed = 42;  // for input generators: same seed, same inputs
};

// One repetition's values, by metric name; every metric the workload declares.
using Measurement = std::map<std::string, double>;

// A built case (inputs made and verified). One of the three kinds below; the runner's harness
// (runner/timing) turns each repetition into a Measurement.
class CaseRun {
 public:
  virtual ~CaseRun() = default;
  // Facts worth keeping in the record (device used, verification error, library versions, ...).
  // The harness adds how it timed a timed case (timer, operations_per_repetition).
  virtual nlohmann::json info() const { return nlohmann::json::object(); }
};

// The escape hatch: a whole program whose repetition the case times itself, because there is no
// repeatable operation to size (cuda_init: a process-wide first call; llm: a generation with its
// own phases; command: another program; shm_bandwidth: a write and a read of one segment).
class ProgramCase : public CaseRun {
 public:
  // One repetition; called for warm-up too. Throws on failure.
  virtual Measurement run() = 0;
};

// What one operation moves, so that the harness derives the Bytes, Flops and Operations metrics.
struct OperationCost {
  double bytes = 0;       // bytes read + written by one operation
  double flops = 0;       // floating-point operations of one operation
  double items = 1;       // what an Operations metric counts per operation (e.g. one per thread)
};

// How many operations one repetition performs: calibrated so that a repetition lasts about
// `target` (at most `max_operations`), or exactly `fixed` when it is > 0.
struct Sizing {
  std::chrono::nanoseconds target = std::chrono::milliseconds(20);
  std::uint64_t max_operations = std::uint64_t{1} << 40;
  std::uint64_t fixed = 0;
};

// A repeatable operation that the harness times: it calibrates the operations per repetition, runs
// them between two clock readings and derives every metric declared with a Derived quantity.
class TimedOperation : public CaseRun {
 public:
  virtual OperationCost cost() const { return {}; }
  virtual Sizing sizing() const { return {}; }
  // Untimed work before each timed repetition of n operations (a dropped page cache, fresh pages).
  virtual void prepare(std::uint64_t /*n*/) {}
  // Untimed work right after it: counting and checking what the operations did (page faults),
  // releasing what prepare made. Throws on failure; cost() and add_measured() see what it counted.
  virtual void finish(std::uint64_t /*n*/) {}
  // The Measured metrics of a repetition, from the time of one of its operations.
  virtual void add_measured(double /*seconds_per_operation*/, Measurement& /*m*/) const {}
};

// Timed on the host's steady clock: batch(n) performs the operation n times and returns when done.
class HostOperation : public TimedOperation {
 public:
  virtual void batch(std::uint64_t n) = 0;
};

// Timed with CUDA events on the case's stream: enqueue(n) puts n operations on stream() without
// waiting for them; the harness records an event before and after and waits for the second.
class DeviceOperation : public TimedOperation {
 public:
  virtual CUstream_st* stream() const = 0;
  virtual void enqueue(std::uint64_t n) = 0;
};

struct Workload {
  std::string name;
  std::string help;
  Device device = Device::Cpu;
  // The layer of the system this workload isolates ("gpu-compute", "cpu-compute", ...), so that
  // the report can say which layers moved together.
  std::string layer;
  std::vector<ParamSpec> params;
  std::vector<MetricSpec> metrics;  // metrics[0] is the primary metric (stopping rule, verdict)
  // Builds a case: allocates, generates inputs, verifies correctness once. Throws sb::Unavailable
  // when the case cannot run on this machine, sb::Error for bad parameters.
  std::function<std::unique_ptr<CaseRun>(const Params&, const CaseContext&)> make;
  // Set only for workloads defined in a config file (`commands:`): the normalized definition that
  // rebuilds this workload in another process, e.g. inside a container from the plan file. (The
  // initializer keeps -Wmissing-field-initializers quiet where built-ins leave it out.)
  nlohmann::json definition = nullptr;
};

// Builds a Workload from a definition ({"kind": "command", ...}); registered per kind.
using WorkloadFactory = std::function<Workload(const nlohmann::json& definition)>;

class Registry {
 public:
  static Registry& instance();
  void add(Workload w);
  const Workload* find(std::string_view name) const;
  const Workload& get(std::string_view name) const;  // throws sb::Error listing valid names
  const std::vector<Workload>& all() const { return workloads_; }
  std::vector<std::string> names() const;

  // Workloads defined at run time (config `commands:`, plan files). define() builds the workload
  // with the factory of definition["kind"] and adds it; the same definition again returns the
  // workload already there, a different one under the same name throws sb::Error. Their addresses
  // stay valid (plans point at them); all() lists only the built-in workloads.
  void add_factory(const std::string& kind, WorkloadFactory factory);
  const Workload& define(const nlohmann::json& definition);

 private:
  std::vector<Workload> workloads_;
  std::deque<Workload> defined_;
  std::map<std::string, WorkloadFactory> factories_;
};

struct WorkloadFactoryRegistration {
  WorkloadFactoryRegistration(const std::string& kind, WorkloadFactory f) {
    Registry::instance().add_factory(kind, std::move(f));
  }
};

struct WorkloadRegistration {
  explicit WorkloadRegistration(Workload w) { Registry::instance().add(std::move(w)); }
};

// Checks a value against a parameter's type, choices, bounds and rule; returns the canonical text.
// Throws sb::Error naming the workload, the parameter and the valid values.
std::string validate_param(const Workload& w, const ParamSpec& p, const std::string& value);
const ParamSpec& find_param(const Workload& w, const std::string& name);  // throws listing valid ones

}  // namespace sb

#define SB_REGISTER_WORKLOAD(ident, ...) \
  static const ::sb::WorkloadRegistration sb_workload_registration_##ident{__VA_ARGS__}
#define SB_REGISTER_WORKLOAD_FACTORY(ident, kind, factory) \
  static const ::sb::WorkloadFactoryRegistration sb_workload_factory_registration_##ident{kind, factory}
