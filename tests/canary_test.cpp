// The canary (canary/): its CPU probe, timed by the harness, and the record's form. The GPU
// probes are checked on a GPU (tests/gpu/canary_test.cpp).
#include <cmath>

#include <gtest/gtest.h>

#include "canary/canary.hpp"

namespace sb::canary {
namespace {

TEST(Canary, TheCpuProbeRunsWithoutAGpu) {
  const Result r = run(false);
  ASSERT_EQ(r.probes.size(), 1u);
  EXPECT_EQ(r.probes[0].name, "cpu_loop");
  EXPECT_EQ(r.probes[0].repetitions.size(), 5u);
  EXPECT_TRUE(std::isfinite(r.probes[0].value) && r.probes[0].value > 0);
  EXPECT_FALSE(r.skipped.empty());
  const auto j = to_json(r);
  EXPECT_EQ(j["probes"]["cpu_loop"]["unit"], "ns");
  EXPECT_EQ(j["probes"]["cpu_loop"]["better"], "lower");
  EXPECT_EQ(j["probes"]["cpu_loop"]["repetitions"].size(), 5u);
  EXPECT_TRUE(j.contains("gpu_skipped"));
  EXPECT_LT(r.duration_s, 30.0);  // a bound on a hang, not a timing: about 0.3 s of work
}

}  // namespace
}  // namespace sb::canary
