// cpu_scaling: a fixed, purely CPU-bound kernel on one thread and on every CPU this process may
// use. No memory traffic and no syscalls, so only the CPUs the container really gets (cpuset,
// CFS quota, SMT siblings, frequency) move it.
#include <chrono>
#include <charconv>
#include <limits>
#include <optional>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "core/affinity.hpp"
#include "core/error.hpp"
#include "core/worker_team.hpp"
#include "runner/timing.hpp"
#include "workload/workload.hpp"
#include "workloads/cpu_scaling/cgroup_cpu_quota.hpp"

namespace sb {
namespace {

// Longer than the other micro-benchmarks on purpose: the CFS quota is enforced per 100 ms period,
// so a repetition shorter than a period can fit inside the quota and never see the throttling.
constexpr auto kRepetitionTarget = std::chrono::milliseconds(100);

// A dependent chain of multiply/xor-shift steps: each step needs the previous result, so nothing
// overlaps, nothing touches memory, and the time per step is set by the core alone. Both steps are
// bijections on 64-bit words, so a nonzero start never collapses to a fixed point.
std::uint64_t hash_chain(std::uint64_t x, std::uint64_t steps) {
  for (std::uint64_t i = 0; i < steps; ++i) {
    x ^= x >> 31;
    x *= 0x9E3779B97F4A7C15ull;
    x ^= x >> 29;
  }
  return x;
}

// A positive count that fits the team's int size; nullopt for anything else.
std::optional<int> thread_count(const std::string& text) {
  int n = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size() || n < 1) return std::nullopt;
  return n;
}

// The parameter's rule, checked when the plan is made: "all" or a count.
const ParamRule kThreadsRule{
    .says = fmt::format("all, or a count from 1 to {}", std::numeric_limits<int>::max()),
    .accepts = [](const std::string& text) { return text == "all" || thread_count(text).has_value(); }};

// One thread's hash chain, one step per operation: the harness sizes it to the repetition target.
class OneThreadChain final : public HostOperation {
 public:
  explicit OneThreadChain(std::uint64_t start) : start_(start) {}
  void batch(std::uint64_t n) override { sink_ = hash_chain(start_, n); }
  Sizing sizing() const override { return {.target = kRepetitionTarget}; }

 private:
  std::uint64_t start_;
  volatile std::uint64_t sink_ = 0;  // keeps the chains from being optimised away
};

// One operation = one step of the chain on every thread of the team. A repetition is sized once, on
// one thread (OneThreadChain), not on the team: its work then stays the same whatever the team's
// size, and under a CFS quota every thread's share still spans periods, where a team sized by its
// own wall time would shrink to fit inside one period's quota.
class CpuScalingCase final : public HostOperation {
 public:
  CpuScalingCase(std::string threads_param, int threads, std::uint64_t seed)
      : threads_param_(std::move(threads_param)), start_(seed | 1), team_(threads), results_(threads) {
    OneThreadChain one(start_);
    steps_ = runner::CaseTimer(one, {}).operations_per_repetition();
    prepare(steps_);
  }

  Sizing sizing() const override { return {.fixed = steps_}; }
  OperationCost cost() const override { return {.items = static_cast<double>(team_.size())}; }

  // The chain's expected end, on this thread, independently of the team.
  void prepare(std::uint64_t n) override {
    if (n == expected_steps_) return;
    expected_ = hash_chain(start_, n);
    expected_steps_ = n;
  }

  void batch(std::uint64_t n) override {
    team_.run_seconds([this, n](int member) { results_[static_cast<std::size_t>(member)] = hash_chain(start_, n); });
  }

  void finish(std::uint64_t) override {
    for (std::size_t m = 0; m < results_.size(); ++m)
      if (results_[m] != expected_)
        throw Error(fmt::format("cpu_scaling: thread {} computed {:#x}, expected {:#x}", m, results_[m], expected_),
                    "the CPU is faulty, or this is a bug: report it with `sparkbench env`", kExitFailure);
  }

  void add_measured(double seconds_per_operation, Measurement& m) const override {
    m["per_thread_ops_per_s"] = 1 / seconds_per_operation;
  }

  nlohmann::json info() const override {
    const CgroupCpuQuota quota = read_cgroup_cpu_quota();
    nlohmann::json cgroup_cpus = nullptr;
    if (quota.readable) cgroup_cpus = quota.cpus ? nlohmann::json(*quota.cpus) : nlohmann::json("max");
    return {{"threads_param", threads_param_},
            {"threads", team_.size()},
            {"affinity_cpus", affinity_cpu_count()},
            {"hardware_concurrency", std::thread::hardware_concurrency()},
            {"cgroup_cpu_quota_cpus", cgroup_cpus},  // "max" = no limit, null = not readable
            {"cgroup_cpu_quota_source", quota.source},
            {"op", "one multiply/xor-shift step of a dependent 64-bit hash chain"},
            {"steps_sized", fmt::format("on one thread, to about {} ms: every thread runs operations_per_repetition "
                                        "steps per repetition", kRepetitionTarget.count())}};
  }

 private:
  std::string threads_param_;
  std::uint64_t start_;
  WorkerTeam team_;
  std::vector<std::uint64_t> results_;
  std::uint64_t steps_ = 0, expected_steps_ = 0, expected_ = 0;
};

}  // namespace

SB_REGISTER_WORKLOAD(
    cpu_scaling,
    Workload{
        .name = "cpu_scaling",
        .help = "A dependent 64-bit hash chain (no memory traffic, no syscalls) on 1 thread and on "
                "every CPU of the affinity mask, ~100 ms per repetition (longer than a CFS period). "
                "Isolates how much CPU the container really gets: a cpuset (fewer CPUs), a CFS quota "
                "(docker --cpus: all-thread throughput capped, per-thread rate falls when threads "
                "exceed the quota), SMT sharing or a lower clock. A regression here with `syscall` "
                "unchanged is a CPU allocation problem; info lists affinity CPUs and cgroup quota.",
        .device = Device::Cpu,
        .layer = "cpu-scaling",
        .params = {{.name = "threads",
                    .type = ParamSpec::Type::String,
                    .defaults = {"1", "all"},
                    .choices = {},
                    .help = "1, all (= CPUs in the affinity mask) or a thread count",
                    .rule = kThreadsRule}},
        .metrics = {{.name = "ops_per_s",
                     .unit = "op/s",
                     .better = Better::Higher,
                     .help = "hash-chain steps per second, all threads together",
                     .derived = Derived::Operations},
                    {.name = "per_thread_ops_per_s",
                     .unit = "op/s",
                     .better = Better::Higher,
                     .help = "ops_per_s divided by the thread count"}},
        .make = [](const Params& p, const CaseContext& ctx) -> std::unique_ptr<CaseRun> {
          const std::string& threads = p.str("threads");
          const int team = threads == "all" ? affinity_cpu_count() : thread_count(threads).value();
          return std::make_unique<CpuScalingCase>(threads, team, ctx.seed);
        }});

}  // namespace sb
