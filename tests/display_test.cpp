// How names and values are shown to people: case names without default parameters, byte counts
// with their size, a run's settings and end in the one-run report.
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/byte_size.hpp"
#include "report/format.hpp"
#include "report/report.hpp"
#include "report/run_report.hpp"
#include "test_workloads.hpp"
#include "workload/display_id.hpp"

namespace sb {
namespace {

using nlohmann::json;

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

TEST(DisplayId, LeavesOutTuningParametersAtTheirDefault) {
  // matmul: inner (default 0) is how to measure; n (default 10000) and precision are what is measured.
  Params p({{"inner", "0"}, {"n", "10000"}, {"precision", "fp32"}});
  EXPECT_EQ(display_id("matmul", p), "matmul/n=10000,precision=fp32");
  p.set("n", "4096");
  p.set("inner", "8");
  EXPECT_EQ(display_id("matmul", p), "matmul/inner=8,n=4096,precision=fp32");
}

TEST(DisplayId, NothingLeftShowsTheWorkloadAndUnknownWorkloadsTheFullId) {
  const Workload w{.name = "w",
                   .params = {{.name = "k", .type = ParamSpec::Type::Int, .defaults = {"3"}, .tuning = true}},
                   .metrics = {{.name = "m"}}};
  EXPECT_EQ(display_id(w, Params(std::map<std::string, std::string>{{"k", "3"}})), "w");
  const Params p({{"inner", "0"}, {"n", "64"}});
  EXPECT_EQ(display_id("no_such_workload", p), "no_such_workload/inner=0,n=64");
}

TEST(DisplayId, ComparesDefaultsInCanonicalForm) {
  const Workload w{.name = "w",
                   .params = {{.name = "n", .type = ParamSpec::Type::Int, .defaults = {"010"}, .tuning = true},
                              {.name = "mode", .defaults = {"a", "b"}, .tuning = true},
                              {.name = "size", .type = ParamSpec::Type::Int, .defaults = {"5"}}},
                   .metrics = {{.name = "m"}}};
  // A multi-valued default axis stays, and so does a measured parameter at its default.
  EXPECT_EQ(display_id(w, Params({{"mode", "a"}, {"n", "10"}, {"size", "5"}})), "w/mode=a,size=5");
  EXPECT_EQ(display_id(w, Params({{"mode", "b"}, {"n", "11"}, {"extra", "1"}})), "w/extra=1,mode=b,n=11");
}

TEST(ByteSize, CountWithItsSize) {
  EXPECT_EQ(human_bytes(25276502016), "23.5 GiB");
  EXPECT_EQ(human_bytes(64 << 20), "64.0 MiB");
  EXPECT_EQ(byte_count_text(25276502016), "25276502016 (23.5 GiB)");
  EXPECT_EQ(byte_count_text(512), "512");
}

TEST(EnvValueText, BytesByTheKeyOfThePath) {
  using report::detail::env_value_text;
  EXPECT_EQ(env_value_text("memory.total_bytes", json(25276502016)), "25276502016 (23.5 GiB)");
  EXPECT_EQ(env_value_text("gpu.devices[0].total_memory_bytes", json(68719476736)), "68719476736 (64.0 GiB)");
  EXPECT_EQ(env_value_text("ulimits.memlock_bytes.soft", json(8388608)), "8388608 (8.0 MiB)");
  EXPECT_EQ(env_value_text("ulimits.memlock_bytes.soft", json("unlimited")), "unlimited");
  EXPECT_EQ(env_value_text("cgroup.cpu_quota", json(0.5)), "0.5");
  EXPECT_EQ(env_value_text("libraries[a_bytes].size", json(2048)), "2048");  // brackets hold no key
  EXPECT_EQ(env_value_text("memory.total_bytes", json()), "(absent)");
}

TEST(EnvValueText, TheComparisonReportShowsSizes) {
  compare::Comparison c;
  c.baseline_label = "native";
  c.candidate_label = "docker";
  c.baseline_records.emplace_back();
  c.candidate_records.emplace_back();
  c.env_differences = {{"cgroup.memory_limit_bytes", nullptr, 8589934592, 60},
                       {"memory.total_bytes", 25276502016, 25276502000, 10}};
  const std::string md = report::markdown(c, {}, {});
  EXPECT_TRUE(contains(md, "| `cgroup.memory_limit_bytes` | (absent) | 8589934592 (8.0 GiB) |")) << md;
  EXPECT_TRUE(contains(md, "| `memory.total_bytes` | 25276502016 (23.5 GiB) | 25276502000 (23.5 GiB) |")) << md;
}

TEST(RunReport, SettingsReadAsNamesValuesAndUnits) {
  const json settings = {{"ci_target_pct", 100 * 1e-6 / 0.01},  // 0.009999999999999998: float noise
                         {"min_reps", 5},
                         {"max_reps", 30},
                         {"max_time_s", 60.0},
                         {"warmup", 2},
                         {"telemetry_interval_ms", 100},
                         {"seed", 42},
                         {"source", {{"suite", "quick"}, {"config", "benchmarks/config.yaml"}}}};
  EXPECT_EQ(report::settings_text(settings),
            "ci target 0.01%, min reps 5, max reps 30, max time 60 s, warm-up 2, telemetry 100 ms, seed 42");
  json other = settings;
  other["ci_target_pct"] = 1.0;
  other["telemetry_interval_ms"] = 0;
  other["seed"] = 18446744073709551615ull;
  other["new_setting"] = 2.5;
  other["canary"] = true;
  EXPECT_EQ(report::settings_text(other), "ci target 1%, min reps 5, max reps 30, max time 60 s, warm-up 2, "
                                          "telemetry off, seed 18446744073709551615, canary on, new_setting 2.5");
  EXPECT_EQ(report::source_text(settings["source"]), "suite `quick` of benchmarks/config.yaml");
  EXPECT_EQ(report::source_text({{"workload", "matmul_cpu"}, {"params", {"n=64", "precision=fp32"}}}),
            "workload `matmul_cpu` --param n=64 --param precision=fp32");
}

TEST(RunReport, ARunWithoutAnEndSaysWhy) {
  record::RunRecord r;
  r.label = "native";
  r.started_utc = "2025-03-01T10:00:00Z";
  r.interrupted = true;
  EXPECT_EQ(report::finished_text(r), "not finished (**interrupted**: only the finished cases are below)");
  r.interrupted = false;  // killed: the last checkpoint was written before the end
  EXPECT_EQ(report::finished_text(r), "not finished (the process ended before the run completed)");
  const std::string md = report::run_markdown(r);
  EXPECT_TRUE(contains(md, "- started 2025-03-01T10:00:00Z, not finished (the process ended before the run completed)"))
      << md;
  r.finished_utc = "2025-03-01T10:05:00Z";
  r.complete = true;
  EXPECT_EQ(report::finished_text(r), "finished 2025-03-01T10:05:00Z");
}

TEST(RunReport, CaseNamesLeaveOutDefaults) {
  record::RunRecord r;
  record::CaseResult c;
  c.workload = "matmul";
  c.params = Params({{"inner", "0"}, {"n", "10000"}, {"precision", "bf16"}});
  c.id = "matmul/" + c.params.id();
  c.status = record::CaseStatus::Unavailable;
  c.message = "no GPU";
  r.cases.push_back(c);
  const std::string md = report::run_markdown(r);
  EXPECT_TRUE(contains(md, "| `matmul/n=10000,precision=bf16` |")) << md;
  EXPECT_FALSE(contains(md, "inner=0")) << md;
  EXPECT_TRUE(contains(md, "the record keeps the full ids")) << md;
}

}  // namespace
}  // namespace sb
