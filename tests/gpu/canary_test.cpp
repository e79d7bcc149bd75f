// The canary's GPU probes on a GPU: each checks itself against a CPU reference when built (a wrong
// sum or GEMM entry throws), then the harness times it. Skipped without a GPU.
#include <cmath>
#include <iostream>

#include <gtest/gtest.h>

#include "canary/canary.hpp"
#include "core/gpu_presence.hpp"

namespace sb::canary {
namespace {

TEST(CanaryGpu, ReadsAndMultipliesCorrectlyAndReportsRates) {
  if (!gpu_presence().present) GTEST_SKIP() << "SKIPPED: no GPU: " << gpu_presence().reason;
  const Result r = run(true);
  ASSERT_EQ(r.probes.size(), 3u) << r.skipped;
  EXPECT_EQ(r.probes[1].name, "device_read");
  EXPECT_EQ(r.probes[2].name, "bf16_gemm");
  for (const auto& p : r.probes) EXPECT_TRUE(std::isfinite(p.value) && p.value > 0) << p.name;
  // Sanity bounds far outside any real GPU's range: a unit slip (bytes vs GB) fails them.
  EXPECT_GT(r.probes[1].value, 10.0);
  EXPECT_LT(r.probes[1].value, 20000.0);
  EXPECT_GT(r.probes[2].value, 1.0);
  EXPECT_LT(r.probes[2].value, 10000.0);
  EXPECT_TRUE(r.skipped.empty());
  std::cout << to_json(r).dump(1) << "\n";
}

}  // namespace
}  // namespace sb::canary
