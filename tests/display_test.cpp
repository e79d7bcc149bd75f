// How names and values are shown to people: case names without default parameters, byte counts
// with their size, a run's settings and end in the one-run report.
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/byte_size.hpp"
#include "report/format.hpp"
#include "report/report.hpp"

namespace sb {
namespace {

using nlohmann::json;

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
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
  const std::string md = report::markdown(c, {});
  EXPECT_TRUE(contains(md, "| `cgroup.memory_limit_bytes` | (absent) | 8589934592 (8.0 GiB) |")) << md;
  EXPECT_TRUE(contains(md, "| `memory.total_bytes` | 25276502016 (23.5 GiB) | 25276502000 (23.5 GiB) |")) << md;
}

}  // namespace
}  // namespace sb
