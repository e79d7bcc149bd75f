#include <cstdlib>
#include <thread>

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "telemetry/nvml_library.hpp"
#include "telemetry/telemetry.hpp"

namespace sb::telemetry {
namespace {

Sample make(double t, std::optional<double> power, std::optional<double> sm,
            std::optional<std::uint64_t> reasons) {
  Sample s;
  s.t_s = t;
  s.power_w = power;
  s.sm_clock_mhz = sm;
  s.throttle_reasons = reasons;
  return s;
}

TEST(TelemetrySummary, MeansMinMaxAndAbsentFields) {
  // power: 100, 200, (absent), 300 -> mean 200 over n=3; sm clock: 1980 and 1410 -> mean 1695.
  const std::vector<Sample> timeline = {
      make(0.0, 100, 1980, 0x1),
      make(0.1, 200, std::nullopt, 0x4),
      make(0.2, std::nullopt, 1410, std::nullopt),
      make(0.3, 300, std::nullopt, 0x40),
  };
  const nlohmann::json s = to_json(summarize(timeline));
  EXPECT_EQ(s.at("samples"), 4);
  EXPECT_DOUBLE_EQ(s.at("duration_s").get<double>(), 0.3);
  EXPECT_DOUBLE_EQ(s.at("power_w").at("mean").get<double>(), 200.0);
  EXPECT_DOUBLE_EQ(s.at("power_w").at("min").get<double>(), 100.0);
  EXPECT_DOUBLE_EQ(s.at("power_w").at("max").get<double>(), 300.0);
  EXPECT_EQ(s.at("power_w").at("n"), 3);
  EXPECT_DOUBLE_EQ(s.at("sm_clock_mhz").at("mean").get<double>(), 1695.0);
  EXPECT_EQ(s.at("sm_clock_mhz").at("n"), 2);
  // Never measured (DGX Spark's memory usage): absent, not 0.
  EXPECT_FALSE(s.contains("mem_used_mib"));
  EXPECT_FALSE(s.contains("gpu_util_pct"));

  const nlohmann::json& t = s.at("throttle_reasons");
  EXPECT_EQ(t.at("mask"), 0x45);
  EXPECT_EQ(t.at("names"), nlohmann::json({"sw_power_cap", "hw_thermal_slowdown"}));
  EXPECT_EQ(t.at("all_names"), nlohmann::json({"gpu_idle", "sw_power_cap", "hw_thermal_slowdown"}));
  EXPECT_EQ(t.at("n"), 3);
  EXPECT_EQ(t.at("samples_limited"), 2);
}

TEST(TelemetrySummary, EmptyTimeline) {
  const nlohmann::json s = to_json(summarize({}));
  EXPECT_EQ(s.at("samples"), 0);
  EXPECT_FALSE(s.contains("power_w"));
  EXPECT_FALSE(s.contains("throttle_reasons"));
}

TEST(TelemetrySummary, JsonIsTheRecordsSummaryAndReadsBackTheSame) {
  const std::vector<Sample> timeline = {make(0.0, 100, 1980, 0x1), make(0.25, 200.5, std::nullopt, 0x4)};
  const Summary s = summarize(timeline);
  EXPECT_EQ(s.samples, 2u);
  ASSERT_TRUE(s.power_w);
  EXPECT_DOUBLE_EQ(s.power_w->mean, 150.25);
  EXPECT_EQ(s.power_w->n, 2u);
  EXPECT_EQ(s.field("power_w"), &*s.power_w);
  EXPECT_EQ(s.field("gpu_util_pct"), nullptr);  // never sampled
  EXPECT_EQ(s.field("samples"), nullptr);       // not a field
  // The keys and number types records hold: counts as integers, readings as floats.
  const nlohmann::json j = to_json(s);
  EXPECT_EQ(j.dump(),
            R"({"duration_s":0.25,"power_w":{"max":200.5,"mean":150.25,"min":100.0,"n":2},"samples":2,)"
            R"("sm_clock_mhz":{"max":1980.0,"mean":1980.0,"min":1980.0,"n":1},)"
            R"("throttle_reasons":{"all_names":["gpu_idle","sw_power_cap"],"mask":5,"n":2,)"
            R"("names":["sw_power_cap"],"samples_limited":1}})");
  EXPECT_EQ(to_json(summary_from_json(j)).dump(), j.dump());
  EXPECT_EQ(to_json(summarize({})).dump(), R"({"samples":0})");
  EXPECT_EQ(to_json(summary_from_json("not a summary")).dump(), R"({"samples":0})");
}

// Two rounds: sm clock 1900 MHz over 10 readings and 1600 MHz over 30.
TEST(TelemetrySummary, MergeWeightsMeansByReadingsAndKeepsTheExtremes) {
  Summary a;
  a.samples = 10;
  a.duration_s = 0.9;
  a.sm_clock_mhz = FieldSummary{1900, 1800, 1950, 10};
  a.power_w = FieldSummary{300, 250, 320, 4};
  a.throttle_reasons = ThrottleSummary{0x4, {"sw_power_cap"}, {"gpu_idle", "sw_power_cap"}, 10, 3};
  Summary b;
  b.samples = 30;
  b.duration_s = 2.9;
  b.sm_clock_mhz = FieldSummary{1600, 1500, 1700, 30};
  b.gpu_util_pct = FieldSummary{50, 0, 100, 30};
  b.throttle_reasons = ThrottleSummary{0x8, {"hw_slowdown"}, {"hw_slowdown"}, 30, 30};

  Summary merged;
  merged.merge(a);
  merged.merge(b);
  EXPECT_TRUE(merged.merged);
  ASSERT_TRUE(merged.sm_clock_mhz);
  EXPECT_DOUBLE_EQ(merged.sm_clock_mhz->mean, 1675);  // (1900 * 10 + 1600 * 30) / 40, not (1900 + 1600) / 2
  EXPECT_EQ(merged.sm_clock_mhz->min, 1500);
  EXPECT_EQ(merged.sm_clock_mhz->max, 1950);
  EXPECT_EQ(merged.sm_clock_mhz->n, 40u);
  ASSERT_TRUE(merged.power_w && merged.gpu_util_pct);  // only one round had them: as that round had them
  EXPECT_EQ(merged.power_w->mean, 300);
  EXPECT_EQ(merged.power_w->n, 4u);
  EXPECT_EQ(merged.gpu_util_pct->max, 100);
  ASSERT_TRUE(merged.throttle_reasons);
  EXPECT_EQ(merged.throttle_reasons->mask, 0xCu);
  EXPECT_EQ(merged.throttle_reasons->names, (std::vector<std::string>{"sw_power_cap", "hw_slowdown"}));
  EXPECT_EQ(merged.throttle_reasons->all_names, (std::vector<std::string>{"gpu_idle", "sw_power_cap", "hw_slowdown"}));
  EXPECT_EQ(merged.throttle_reasons->n, 40u);
  EXPECT_EQ(merged.throttle_reasons->samples_limited, 33u);
  EXPECT_EQ(merged.samples, 40u);
  EXPECT_DOUBLE_EQ(merged.duration_s.value_or(0), 3.8);
  // As comparisons write pooled rounds in summary.json: the fields with n a float, the throttle
  // names and mask; no sample count, duration or throttle counts.
  EXPECT_EQ(to_json(merged).dump(),
            R"({"gpu_util_pct":{"max":100.0,"mean":50.0,"min":0.0,"n":30.0},)"
            R"("power_w":{"max":320.0,"mean":300.0,"min":250.0,"n":4.0},)"
            R"("sm_clock_mhz":{"max":1950.0,"mean":1675.0,"min":1500.0,"n":40.0},)"
            R"("throttle_reasons":{"mask":12,"names":["sw_power_cap","hw_slowdown"]}})");
  Summary nothing;
  nothing.merge(Summary{});
  EXPECT_EQ(to_json(nothing).dump(), "{}");
}

TEST(ThrottleReasons, NamesOfKnownMasks) {
  // Bits from nvml.h: GpuIdle 0x1, ApplicationsClocksSetting 0x2, SwPowerCap 0x4, HwSlowdown 0x8,
  // SyncBoost 0x10, SwThermalSlowdown 0x20, HwThermalSlowdown 0x40, HwPowerBrakeSlowdown 0x80,
  // DisplayClockSetting 0x100.
  EXPECT_TRUE(throttle_reason_names(0).empty());
  EXPECT_TRUE(throttle_reason_names(0x1).empty());  // idle is benign
  EXPECT_TRUE(throttle_reason_names(0x3).empty());
  EXPECT_EQ(throttle_reason_names(0x3, true),
            (std::vector<std::string>{"gpu_idle", "applications_clocks_setting"}));
  EXPECT_EQ(throttle_reason_names(0x4), std::vector<std::string>{"sw_power_cap"});
  EXPECT_EQ(throttle_reason_names(0x8 | 0x20 | 0x80),
            (std::vector<std::string>{"hw_slowdown", "sw_thermal_slowdown",
                                      "hw_power_brake_slowdown"}));
  EXPECT_EQ(throttle_reason_names(0x10 | 0x100),
            (std::vector<std::string>{"sync_boost", "display_clock_setting"}));
  EXPECT_EQ(throttle_reason_names(0x40 | 0x1000),
            (std::vector<std::string>{"hw_thermal_slowdown", "unknown_0x1000"}));
}

TEST(TelemetrySample, JsonRoundTrip) {
  Sample s;
  s.t_s = 1.25;
  s.gpu_util_pct = 97;
  s.mem_util_pct = 41;
  s.sm_clock_mhz = 1980;
  s.mem_clock_mhz = 2619;
  s.power_w = 612.5;
  s.temperature_c = 63;
  s.throttle_reasons = 0x4;
  const nlohmann::json j = to_json(s);
  EXPECT_FALSE(j.contains("mem_used_mib"));  // absent stays absent
  const Sample back = sample_from_json(j);
  EXPECT_EQ(to_json(back), j);
  EXPECT_DOUBLE_EQ(back.t_s, 1.25);
  EXPECT_EQ(back.power_w, 612.5);
  EXPECT_FALSE(back.mem_used_mib.has_value());
  EXPECT_EQ(back.throttle_reasons, 0x4u);
  // A null written by another tool reads as absent.
  EXPECT_FALSE(sample_from_json({{"t_s", 0}, {"power_w", nullptr}}).power_w.has_value());
}

// This test runs where NVML may or may not exist; on the dev machine there is no driver.
TEST(NvmlSampler, WithoutNvmlReportsWhyAndReturnsEmptyTimeline) {
  if (nvml::Library::instance().available()) GTEST_SKIP() << "NVML is present on this machine";
  NvmlSampler sampler(0, std::chrono::milliseconds(10));
  EXPECT_FALSE(sampler.available());
  EXPECT_NE(sampler.unavailable_reason().find("libnvidia-ml.so.1"), std::string::npos)
      << sampler.unavailable_reason();
  sampler.start();
  const std::vector<Sample> timeline = sampler.stop();
  EXPECT_TRUE(timeline.empty());
  const Sample s = sampler.sample_now();
  EXPECT_FALSE(s.power_w.has_value());
  EXPECT_FALSE(s.throttle_reasons.has_value());
  EXPECT_TRUE(sampler.field_errors().empty());

  const nlohmann::json cost = measure_sampler_cost(5, std::chrono::milliseconds(10));
  EXPECT_EQ(cost.at("available"), false);
  EXPECT_FALSE(cost.at("reason").get<std::string>().empty());
}

TEST(NvmlSampler, MissingDeviceIsUnavailableNotACrash) {
  NvmlSampler sampler(4096);
  EXPECT_FALSE(sampler.available());
  EXPECT_FALSE(sampler.unavailable_reason().empty());
  EXPECT_TRUE(sampler.stop().empty());  // stop without start
}

TEST(NvmlSampler, CostMeasurementRejectsNonsense) {
  EXPECT_THROW(measure_sampler_cost(0), Error);
}

// Runs under ctest as unit.fake_nvml, with tests/fake_nvml's libnvidia-ml.so.1 on LD_LIBRARY_PATH.
TEST(FakeNvml, SamplerReadsWhatTheLibraryReports) {
  if (!std::getenv("SPARKBENCH_FAKE_NVML"))
    GTEST_SKIP() << "needs the fake NVML: run `ctest -R fake_nvml`";
  ASSERT_TRUE(nvml::Library::instance().available()) << nvml::Library::instance().unavailable_reason();
  NvmlSampler sampler(0, std::chrono::milliseconds(20));
  ASSERT_TRUE(sampler.available()) << sampler.unavailable_reason();

  const Sample s = sampler.sample_now();
  EXPECT_EQ(s.gpu_util_pct, 42.0);
  EXPECT_EQ(s.mem_util_pct, 7.0);
  EXPECT_EQ(s.sm_clock_mhz, 1500.0);
  EXPECT_FALSE(s.mem_clock_mhz.has_value());  // "not supported" -> absent, not 0
  EXPECT_DOUBLE_EQ(s.power_w.value_or(0), 12.345);
  EXPECT_EQ(s.temperature_c, 55.0);
  EXPECT_FALSE(s.mem_used_mib.has_value());  // DGX Spark-like: no memory info
  EXPECT_EQ(s.throttle_reasons, 0x5u);       // through the pre-535 ThrottleReasons fallback
  EXPECT_TRUE(sampler.field_errors().empty()) << sampler.field_errors().dump();

  sampler.start();
  std::this_thread::sleep_for(std::chrono::milliseconds(110));
  const std::vector<Sample> timeline = sampler.stop();
  ASSERT_GE(timeline.size(), 3u);  // 0, 20, ..., 100 ms: 6 when the host is not overloaded
  EXPECT_LE(timeline.size(), 7u);
  EXPECT_LT(timeline.front().t_s, 0.02);
  const nlohmann::json summary = to_json(summarize(timeline));
  EXPECT_DOUBLE_EQ(summary["power_w"]["mean"].get<double>(), 12.345);
  EXPECT_EQ(summary["throttle_reasons"]["names"], nlohmann::json({"sw_power_cap"}));
  EXPECT_FALSE(summary.contains("mem_used_mib"));
  EXPECT_GE(sampler.sampling_thread_cpu_s(), 0.0);

  const nlohmann::json cost =
      measure_sampler_cost(20, std::chrono::milliseconds(100), std::chrono::milliseconds(10));
  ASSERT_EQ(cost["available"], true) << cost.dump();
  EXPECT_EQ(cost["sample_now_us"]["n"], 20);
  EXPECT_LE(cost["sample_now_us"]["median"].get<double>(), cost["sample_now_us"]["p90"].get<double>());
  EXPECT_GE(cost["background"]["samples"].get<int>(), 3);
}

}  // namespace
}  // namespace sb::telemetry
