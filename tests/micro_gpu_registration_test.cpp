// The GPU micro-benchmarks (issue "Localize the overhead") as the registry sees them: this runs on
// every machine, with or without CUDA or a GPU.
#include <gtest/gtest.h>

#include "config/config.hpp"
#include "plan/plan.hpp"

#include <algorithm>
#include <map>
#include <string>
#include <vector>


#include "core/counter_random.hpp"
#include "core/error.hpp"
#include "core/gpu_presence.hpp"
#include "workload/workload.hpp"

namespace sb {
namespace {

struct ExpectedWorkload {
  std::string name;
  std::string layer;
  std::map<std::string, std::vector<std::string>> param_defaults;
  std::vector<std::pair<std::string, Better>> metrics;  // in order: the first is the primary
};

const std::vector<ExpectedWorkload>& expected_workloads() {
  static const std::vector<ExpectedWorkload> all{
      {"gpu_bandwidth",
       "gpu-memory",
       {{"kernel", {"memcpy", "copy", "triad"}}, {"size_mib", {"1024"}}},
       {{"bandwidth_gbs", Better::Higher}, {"time_ms", Better::Lower}}},
      {"pcie_transfer",
       "gpu-transfer",
       {{"direction", {"h2d", "d2h"}}, {"memory", {"pinned", "pageable"}}, {"size_mib", {"1", "64", "256"}}},
       {{"bandwidth_gbs", Better::Higher}, {"time_ms", Better::Lower}}},
      {"launch_latency",
       "gpu-launch",
       {{"mode", {"stream", "graph"}}, {"sync", {"none", "each"}}},
       {{"launch_us", Better::Lower}, {"launches_per_s", Better::Higher}}},
      {"stream_sync", "gpu-launch", {{"call", {"stream", "event"}}}, {{"latency_us", Better::Lower}}},
      {"gpu_alloc",
       "gpu-alloc",
       {{"api", {"malloc", "malloc_async", "host_alloc"}}, {"size_mib", {"64"}}},
       {{"latency_us", Better::Lower}}},
      {"unified_memory",
       "unified-memory",
       {{"mode", {"first_touch", "prefetch"}}, {"size_mib", {"256"}}},
       {{"bandwidth_gbs", Better::Higher}, {"time_ms", Better::Lower}}},
      {"cuda_init",
       "gpu-init",
       {{"what", {"context", "cublas_handle"}}},
       {{"time_ms", Better::Lower}, {"destroy_ms", Better::Lower}}},
  };
  return all;
}

// The first default of every parameter, then `overrides`.
Params params_for(const Workload& w, const std::map<std::string, std::string>& overrides = {}) {
  Params p;
  for (const auto& spec : w.params) p.set(spec.name, spec.defaults.front());
  for (const auto& [name, value] : overrides) p.set(name, value);
  return p;
}

TEST(MicroGpuRegistration, EveryWorkloadHasItsLayerParamsAndMetrics) {
  for (const auto& want : expected_workloads()) {
    SCOPED_TRACE(want.name);
    const Workload* w = Registry::instance().find(want.name);
    ASSERT_NE(w, nullptr) << want.name << " is not registered";
    EXPECT_EQ(w->device, Device::Gpu);
    EXPECT_EQ(w->layer, want.layer);
    EXPECT_FALSE(w->help.empty());
    ASSERT_EQ(w->params.size(), want.param_defaults.size());
    for (const auto& spec : w->params) {
      ASSERT_TRUE(want.param_defaults.count(spec.name)) << "unexpected parameter " << spec.name;
      EXPECT_EQ(spec.defaults, want.param_defaults.at(spec.name)) << spec.name;
      EXPECT_FALSE(spec.help.empty()) << spec.name;
      for (const auto& value : spec.defaults) EXPECT_EQ(validate_param(*w, spec, value), value);
    }
    ASSERT_EQ(w->metrics.size(), want.metrics.size());
    for (std::size_t i = 0; i < want.metrics.size(); ++i) {
      EXPECT_EQ(w->metrics[i].name, want.metrics[i].first);
      EXPECT_EQ(w->metrics[i].better, want.metrics[i].second) << w->metrics[i].name;
      EXPECT_FALSE(w->metrics[i].unit.empty()) << w->metrics[i].name;
    }
  }
}

TEST(MicroGpuRegistration, WithoutAGpuMakeSaysWhyTheCaseIsUnavailable) {
  if (gpu_presence().present) GTEST_SKIP() << "a CUDA device is present; tests/gpu/micro_gpu_test.cpp runs the cases";
  for (const auto& want : expected_workloads()) {
    SCOPED_TRACE(want.name);
    const Workload& w = Registry::instance().get(want.name);
    Params p = params_for(w);
    if (p.has("size_mib")) p.set("size_mib", "1");
    try {
      w.make(p, CaseContext{});
      ADD_FAILURE() << "make() returned a case on a machine without a usable GPU";
    } catch (const Unavailable& e) {
      const std::string message = e.what();
#if SPARKBENCH_HAVE_CUDA
      // "no NVIDIA driver found (...)" where libcuda.so.1 is missing, else CUDA's reason for "no device"
      EXPECT_TRUE(message.find("device") != std::string::npos || message.find("driver") != std::string::npos)
          << message;
#else
      EXPECT_NE(message.find("built without CUDA"), std::string::npos) << message;
      EXPECT_NE(message.find("rebuild"), std::string::npos) << message;
      EXPECT_NE(message.find("-DSPARKBENCH_CUDA=ON"), std::string::npos) << message;
#endif
    }
  }
}

// Bad parameters are the user's to fix, on every machine: sb::Error, before any GPU is looked for.
TEST(MicroGpuRegistration, BadParametersAreErrorsEverywhere) {
  for (const char* name : {"gpu_bandwidth", "pcie_transfer", "gpu_alloc", "unified_memory"}) {
    SCOPED_TRACE(name);
    const Workload& w = Registry::instance().get(name);
    // Sizes are bounded in the spec, so the plan refuses them before make() runs.
    EXPECT_THROW(validate_param(w, find_param(w, "size_mib"), "0"), Error);
    EXPECT_THROW(validate_param(w, find_param(w, "size_mib"), "-4"), Error);
  }
  const std::map<std::string, std::pair<std::string, std::string>> bad_choice{
      {"gpu_bandwidth", {"kernel", "scale"}}, {"pcie_transfer", {"direction", "d2d"}},
      {"launch_latency", {"sync", "some"}},   {"stream_sync", {"call", "device"}},
      {"gpu_alloc", {"api", "mmap"}},         {"unified_memory", {"mode", "advise"}},
      {"cuda_init", {"what", "nvml"}}};
  for (const auto& [name, param] : bad_choice) {
    SCOPED_TRACE(name);
    const Workload& w = Registry::instance().get(name);
    EXPECT_THROW(w.make(params_for(w, {{param.first, param.second}}), CaseContext{}), Error);
  }
}

TEST(MicroGpuRegistration, MicroSuiteRunsEveryGpuWorkload) {
  // Loading the config validates every parameter; the plan for a GPU machine must name them all.
  const auto cfg = config::load(std::string(SPARKBENCH_SOURCE_DIR) + "/benchmarks/config.yaml");
  std::vector<std::string> named;
  for (const auto& c : plan::suite_cases(cfg.suite("micro"), /*gpu_present=*/true)) named.push_back(c.workload->name);
  for (const auto& want : expected_workloads())
    EXPECT_NE(std::find(named.begin(), named.end(), want.name), named.end()) << want.name << " missing";
}

// Reference: the first output of SplitMix64 from state 0 is 0xe220a8397b1dcdaf (Vigna's
// splitmix64.c; the same value recomputed with Python's arbitrary-precision integers).
TEST(CounterRandom, MatchesSplitMix64) {
  EXPECT_EQ(random_word(0, 0), 0xe220a8397b1dcdafULL);
  EXPECT_EQ(random_word(0, 1), 0x6e789e6aa1b965f4ULL);
  for (std::uint64_t i = 0; i < 1000; ++i) {
    const float f = random_float(42, i);
    EXPECT_GE(f, 1.0f);
    EXPECT_LT(f, 2.0f);
  }
}

}  // namespace
}  // namespace sb
