// The GPU micro-benchmarks (issue "Localize the overhead") run for real at small sizes. Label
// `gpu`: each test skips, saying why, where there is no usable CUDA device. Only facts that must
// hold are asserted; which is faster (graph or stream launches, pinned or pageable) is reported,
// not asserted.
#include <gtest/gtest.h>

#include "../test_support.hpp"

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <iostream>
#include <memory>
#include <map>
#include <optional>
#include <string>

#include "core/error.hpp"
#include "core/gpu_presence.hpp"
#include "workload/workload.hpp"

namespace sb {
namespace {

std::optional<std::string> why_no_device() {
  if (gpu_presence().present) return std::nullopt;
  return gpu_presence().reason;
}

struct MicroCase {
  std::string workload;
  std::map<std::string, std::string> params;
};

// For test names and failure messages (gtest would otherwise print the object's bytes).
void PrintTo(const MicroCase& c, std::ostream* os) {
  *os << c.workload;
  for (const auto& [k, v] : c.params) *os << " " << k << "=" << v;
}

std::string case_name(const testing::TestParamInfo<MicroCase>& info) {
  std::string name = info.param.workload;
  for (const auto& [k, v] : info.param.params)
    if (k != "size_mib") name += "_" + v;
  return name;
}

class MicroGpuCase : public testing::TestWithParam<MicroCase> {
 protected:
  void SetUp() override {
    if (auto why = why_no_device()) GTEST_SKIP() << "GPU test skipped: " << *why;
  }
};

TEST_P(MicroGpuCase, ReturnsEveryMetricFiniteAndPositive) {
  const MicroCase& c = GetParam();
  const Workload& w = Registry::instance().get(c.workload);
  Params params;
  for (const auto& spec : w.params) params.set(spec.name, spec.defaults.front());
  for (const auto& [k, v] : c.params) params.set(k, validate_param(w, find_param(w, k), v));

  std::unique_ptr<CaseRun> run = w.make(params, CaseContext{.seed = 7});
  ASSERT_NE(run, nullptr);
  // Measured as the runner measures it (sized, timed, rates derived); the first is the warm-up.
  const test::Measured measured = test::measure(w, *run, 4);
  for (int rep = 0; rep < 3; ++rep) {
    const Measurement& m = measured.repetitions[static_cast<std::size_t>(rep) + 1];
    EXPECT_EQ(m.size(), w.metrics.size());
    for (const auto& metric : w.metrics) {
      ASSERT_TRUE(m.count(metric.name)) << metric.name << " missing";
      const double v = m.at(metric.name);
      EXPECT_TRUE(std::isfinite(v) && v > 0) << metric.name << " = " << v;
    }
    if (c.workload == "launch_latency")  // two views of one measurement
      EXPECT_NEAR(m.at("launch_us") * m.at("launches_per_s"), 1e6, 1e-3);
    if (rep == 2) {
      std::string line;
      for (const auto& [k, v] : m) line += " " + k + "=" + std::to_string(v);
      std::cout << "[ measured ] " << c.workload << " " << params.id() << ":" << line << "\n";
    }
  }
  const nlohmann::json& info = measured.info;
  ASSERT_TRUE(info.is_object());
  std::cout << "[ info     ] " << info.dump() << "\n";
  if (dynamic_cast<TimedOperation*>(run.get()))  // the harness's sizing reaches the record
    EXPECT_GE(info.at("operations_per_repetition").get<std::uint64_t>(), 1u) << info.dump();
  if (c.workload == "gpu_bandwidth" || c.workload == "pcie_transfer" || c.workload == "unified_memory")
    EXPECT_TRUE(info.contains("verification")) << info.dump();
  if (c.workload == "unified_memory") {
    EXPECT_LE(info.at("bytes").get<std::size_t>(), info.at("bytes_requested").get<std::size_t>());
    EXPECT_GT(info.at("bytes").get<std::size_t>(), 0u);
  }
}

INSTANTIATE_TEST_SUITE_P(
    MicroGpu, MicroGpuCase,
    testing::Values(MicroCase{"gpu_bandwidth", {{"kernel", "memcpy"}, {"size_mib", "64"}}},
                    MicroCase{"gpu_bandwidth", {{"kernel", "copy"}, {"size_mib", "64"}}},
                    MicroCase{"gpu_bandwidth", {{"kernel", "triad"}, {"size_mib", "64"}}},
                    MicroCase{"pcie_transfer", {{"direction", "h2d"}, {"memory", "pinned"}, {"size_mib", "8"}}},
                    MicroCase{"pcie_transfer", {{"direction", "h2d"}, {"memory", "pageable"}, {"size_mib", "8"}}},
                    MicroCase{"pcie_transfer", {{"direction", "d2h"}, {"memory", "pinned"}, {"size_mib", "8"}}},
                    MicroCase{"pcie_transfer", {{"direction", "d2h"}, {"memory", "pageable"}, {"size_mib", "8"}}},
                    MicroCase{"launch_latency", {{"mode", "stream"}, {"sync", "none"}}},
                    MicroCase{"launch_latency", {{"mode", "stream"}, {"sync", "each"}}},
                    MicroCase{"launch_latency", {{"mode", "graph"}, {"sync", "none"}}},
                    MicroCase{"launch_latency", {{"mode", "graph"}, {"sync", "each"}}},
                    MicroCase{"stream_sync", {{"call", "stream"}}},
                    MicroCase{"stream_sync", {{"call", "event"}}},
                    MicroCase{"gpu_alloc", {{"api", "malloc"}, {"size_mib", "8"}}},
                    MicroCase{"gpu_alloc", {{"api", "malloc_async"}, {"size_mib", "8"}}},
                    MicroCase{"gpu_alloc", {{"api", "host_alloc"}, {"size_mib", "8"}}},
                    MicroCase{"unified_memory", {{"mode", "first_touch"}, {"size_mib", "32"}}},
                    MicroCase{"unified_memory", {{"mode", "prefetch"}, {"size_mib", "32"}}},
                    MicroCase{"cuda_init", {{"what", "context"}}},
                    MicroCase{"cuda_init", {{"what", "cublas_handle"}}}),
    case_name);

TEST(MicroGpu, AnImpossibleSizeIsAnErrorThatNamesTheFix) {
  if (auto why = why_no_device()) GTEST_SKIP() << "GPU test skipped: " << *why;
  const Workload& w = Registry::instance().get("gpu_bandwidth");
  Params params({{"kernel", "copy"}, {"size_mib", "1073741824"}});  // 1 PiB per array
  try {
    w.make(params, CaseContext{});
    FAIL() << "a 1 PiB array was allocated";
  } catch (const Error& e) {
    EXPECT_NE(e.fix().find("size_mib"), std::string::npos) << e.what() << " / " << e.fix();
  }
  // The failed allocation leaves the device usable.
  Params small({{"kernel", "copy"}, {"size_mib", "4"}});
  EXPECT_NO_THROW(test::measure_once(w, *w.make(small, CaseContext{})));
}

}  // namespace
}  // namespace sb
