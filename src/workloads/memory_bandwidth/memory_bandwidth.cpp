// memory_bandwidth: STREAM triad a[i] = b[i] + s*c[i] on arrays far larger than the last-level
// cache, so that DRAM bandwidth and nothing else sets the speed. A container's cpuset can pin all
// threads to one NUMA node or a few cores, and a memory cgroup near its limit reclaims; both show
// up here while syscall latency stays put.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <memory>
#include <random>
#include <string>

#include <fmt/format.h>

#include "core/affinity.hpp"
#include "core/error.hpp"
#include "core/worker_team.hpp"
#include "workload/workload.hpp"

namespace sb {
namespace {

constexpr auto kRepetitionTarget = std::chrono::milliseconds(20);
constexpr double kScalar = 3.0;
// STREAM counts 3 arrays x 8 bytes per triad element: two loads and one store, no write-allocate.
constexpr double kBytesPerElement = 3 * sizeof(double);
constexpr std::size_t kMiB = 1024 * 1024;

// Size in bytes of the largest cache sysfs lists for CPU 0, or 0 when unknown.
std::size_t last_level_cache_bytes() {
  std::size_t best = 0;
  for (int index = 0; index < 16; ++index) {
    std::ifstream in(fmt::format("/sys/devices/system/cpu/cpu0/cache/index{}/size", index));
    std::string text;
    if (!(in >> text)) break;
    std::size_t value = 0, pos = 0;
    try {
      value = std::stoul(text, &pos);
    } catch (const std::exception&) {
      continue;
    }
    const char unit = pos < text.size() ? text[pos] : ' ';
    value *= unit == 'K' ? 1024 : unit == 'M' ? kMiB : unit == 'G' ? 1024 * kMiB : 1;
    best = std::max(best, value);
  }
  return best;
}

// One operation = one triad pass over the arrays by the whole team; the harness times batches of
// passes on the host clock.
class TriadCase : public HostOperation {
 public:
  TriadCase(std::size_t elements, int threads, std::uint64_t seed)
      : n_(elements), team_(threads), a_(new double[n_]), b_(new double[n_]), c_(new double[n_]) {
    // The members touch their own slices first, so that on a NUMA machine each slice's pages
    // live where the thread that streams them runs (STREAM's first-touch rule).
    team_.run_seconds([&](int member) {
      const auto [lo, hi] = slice(member);
      std::seed_seq seeds{seed, static_cast<std::uint64_t>(member)};
      std::mt19937_64 rng(seeds);
      // The top 53 bits as a fraction in [0, 1), shifted to [0.5, 1.5): uniform_real_distribution
      // would cost more than the page faults of the first touch.
      const auto value = [&rng] { return 0.5 + static_cast<double>(rng() >> 11) * 0x1.0p-53; };
      for (std::size_t i = lo; i < hi; ++i) {
        a_[i] = -1.0;
        b_[i] = value();
        c_[i] = value();
      }
    });
    triad_passes(1);  // a result to verify: the harness sizes and times the passes after this
    verify();
  }

  void batch(std::uint64_t n) override { triad_passes(n); }
  OperationCost cost() const override { return {.bytes = kBytesPerElement * static_cast<double>(n_)}; }
  Sizing sizing() const override { return {.target = kRepetitionTarget}; }

  nlohmann::json info() const override {
    const std::size_t llc = last_level_cache_bytes();
    nlohmann::json j = {{"threads", team_.size()},
                        {"affinity_cpus", affinity_cpu_count()},
                        {"elements_per_array", n_},
                        {"array_bytes", n_ * sizeof(double)},
                        {"bytes_counted", "STREAM convention: 3 arrays x 8 bytes per element per pass "
                                          "(b and c read, a written; write-allocate traffic not counted)"},
                        {"max_relative_error", max_relative_error_},
                        {"last_level_cache_bytes", llc > 0 ? nlohmann::json(llc) : nlohmann::json(nullptr)}};
    if (llc > 0 && n_ * sizeof(double) < 4 * llc)
      j["warning"] = fmt::format("each array is smaller than 4x CPU 0's last-level cache (STREAM's sizing rule), "
                                 "so cache hits may inflate the result; size_mib={} or more follows the rule",
                                 (12 * llc + kMiB - 1) / kMiB);
    return j;
  }

 private:
  std::pair<std::size_t, std::size_t> slice(int member) const {
    const auto t = static_cast<std::size_t>(team_.size()), m = static_cast<std::size_t>(member);
    return {n_ * m / t, n_ * (m + 1) / t};
  }

  void triad_passes(std::uint64_t passes) {
    team_.run_seconds([&](int member) {
      const auto [lo, hi] = slice(member);
      double* __restrict a = a_.get();
      const double* __restrict b = b_.get();
      const double* __restrict c = c_.get();
      for (std::uint64_t p = 0; p < passes; ++p)
        for (std::size_t i = lo; i < hi; ++i) a[i] = b[i] + kScalar * c[i];
    });
  }

  // Every element against a scalar recomputation on this thread.
  void verify() {
    for (std::size_t i = 0; i < n_; ++i) {
      const double expected = b_[i] + kScalar * c_[i];
      max_relative_error_ = std::max(max_relative_error_, std::abs(a_[i] - expected) / std::abs(expected));
    }
    if (!(max_relative_error_ <= 1e-12))
      throw Error(fmt::format("memory_bandwidth: triad result differs from the scalar recomputation "
                              "(max relative error {:.3g})", max_relative_error_),
                  "the CPU or memory is faulty, or this is a bug: report it with `sparkbench env`", kExitFailure);
  }

  std::size_t n_;
  WorkerTeam team_;
  std::unique_ptr<double[]> a_, b_, c_;  // default-initialised: the members touch them first
  double max_relative_error_ = 0;
};

}  // namespace

SB_REGISTER_WORKLOAD(
    memory_bandwidth,
    Workload{
        .name = "memory_bandwidth",
        .help = "STREAM triad a[i] = b[i] + 3*c[i] over three double arrays totalling size_mib, far "
                "beyond the last-level cache, on a team of threads that first-touch their own slices. "
                "Bandwidth counts 24 bytes per element per pass (STREAM's rule). Isolates DRAM "
                "bandwidth: a regression here with cpu_scaling unchanged points at memory placement "
                "(a cpuset on one NUMA node, remote memory, memory-cgroup reclaim), not at the cores.",
        .device = Device::Cpu,
        .layer = "cpu-memory",
        .params = {{.name = "size_mib",
                    .type = ParamSpec::Type::Int,
                    .defaults = {"256"},
                    .choices = {},
                    .help = "total size of the three arrays in MiB; keep each array > 4x the LLC",
                    .min = 1,
                    .max = kMaxSizeMib},
                   {.name = "threads",
                    .type = ParamSpec::Type::Int,
                    .defaults = {"0"},
                    .choices = {},
                    .help = "threads streaming; 0 = one per CPU in this process's affinity mask",
                    .min = 0,
                    .max = kMaxIntParam}},  // the team's size is an int
        .metrics = {{.name = "bandwidth_gbs",
                     .unit = "GB/s",
                     .better = Better::Higher,
                     .help = "triad bandwidth, 10^9 bytes/s, 24 bytes per element per pass",
                     .derived = Derived::Bytes}},
        .make = [](const Params& p, const CaseContext& ctx) -> std::unique_ptr<CaseRun> {
          const long long size_mib = p.integer("size_mib");
          const long long threads = p.integer("threads");
          const int team = threads == 0 ? affinity_cpu_count() : static_cast<int>(threads);
          const auto elements = static_cast<std::size_t>(size_mib) * kMiB / static_cast<std::size_t>(kBytesPerElement);
          return std::make_unique<TriadCase>(elements, team, ctx.seed);
        }});

}  // namespace sb
