// Samples a real GPU for ~0.5 s while nothing runs on it. Skips where NVML or a GPU is missing.
#include <iostream>
#include <thread>

#include <gtest/gtest.h>

#include "telemetry/telemetry.hpp"

namespace sb::telemetry {
namespace {

TEST(NvmlSamplerGpu, IdleTimelineIsPlausible) {
  NvmlSampler sampler(0, std::chrono::milliseconds(50));
  if (!sampler.available()) GTEST_SKIP() << "no GPU through NVML: " << sampler.unavailable_reason();

  sampler.start();
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const std::vector<Sample> timeline = sampler.stop();

  // 500 ms at 50 ms: ~11 samples; allow a loaded host to lose a few ticks.
  ASSERT_GE(timeline.size(), 5u);
  EXPECT_LE(timeline.size(), 12u);
  EXPECT_NEAR(timeline.front().t_s, 0.0, 0.05);  // the first sample is taken at start
  for (std::size_t i = 1; i < timeline.size(); ++i) EXPECT_GT(timeline[i].t_s, timeline[i - 1].t_s);

  for (const Sample& s : timeline) {
    if (s.gpu_util_pct) EXPECT_LE(*s.gpu_util_pct, 100.0);
    if (s.sm_clock_mhz) EXPECT_TRUE(*s.sm_clock_mhz > 0 && *s.sm_clock_mhz < 5000) << *s.sm_clock_mhz;
    if (s.power_w) EXPECT_TRUE(*s.power_w > 0 && *s.power_w < 2000) << *s.power_w;
    if (s.temperature_c) EXPECT_TRUE(*s.temperature_c > 0 && *s.temperature_c < 110);
  }
  // Every NVIDIA data-centre GPU reports at least clocks and temperature.
  const nlohmann::json summary = to_json(summarize(timeline));
  EXPECT_TRUE(summary.contains("sm_clock_mhz")) << summary.dump(2);
  EXPECT_TRUE(summary.contains("temperature_c")) << summary.dump(2);
  EXPECT_TRUE(sampler.field_errors().empty()) << sampler.field_errors().dump(2);
  RecordProperty("summary", summary.dump());
  std::cout << "idle telemetry summary: " << summary.dump() << "\n";

  const nlohmann::json cost = measure_sampler_cost(50, std::chrono::milliseconds(1000));
  std::cout << "sampler cost: " << cost.dump() << "\n";
  ASSERT_EQ(cost.at("available"), true);
  EXPECT_GT(cost.at("sample_now_us").at("median").get<double>(), 0.0);
  EXPECT_GE(cost.at("background").at("samples").get<int>(), 5);
}

}  // namespace
}  // namespace sb::telemetry
