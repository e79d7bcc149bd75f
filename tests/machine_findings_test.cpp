#include <gtest/gtest.h>

#include "diagnose/machine_findings.hpp"

namespace sb::diagnose {
namespace {

bool has(const std::vector<Finding>& f, const std::string& title_part) {
  for (const auto& x : f)
    if (x.title.find(title_part) != std::string::npos) return true;
  return false;
}

TEST(MachineFindings, KnownTrapsAreNamedWithTheirNumbers) {
  const nlohmann::json s = {
      {"cpu", {{"logical_count", 16}}},
      {"cgroup", {{"cpu_quota_cpus", 0.5}}},
      {"shm", {{"size_bytes", 64 * 1024 * 1024}}},
      {"cuda", {{"driver_version", "12.8"}, {"runtime_version", "13.0"}}},
      {"gpu", {{"available", true},
               {"devices", {{{"name", "GB10"}, {"persistence_mode", false}, {"app_sm_clock_mhz", 1500.0},
                             {"max_sm_clock_mhz", 1980.0}, {"throttle_reasons", {"gpu_idle", "hw_slowdown"}}}}}}}};
  const auto f = machine_findings(s);
  EXPECT_TRUE(has(f, "CPU quota"));
  EXPECT_TRUE(has(f, "/dev/shm"));
  EXPECT_TRUE(has(f, "CUDA runtime newer than the driver"));
  EXPECT_TRUE(has(f, "Persistence mode off on GB10"));
  EXPECT_TRUE(has(f, "Application clocks below maximum"));
  EXPECT_TRUE(has(f, "throttled while idle"));
  for (std::size_t i = 0; i < f.size(); ++i) EXPECT_EQ(f[i].rank, static_cast<int>(i + 1));
  for (const auto& x : f)
    if (x.title == "Small /dev/shm") EXPECT_NE(x.evidence.find("64 MiB"), std::string::npos);
}

TEST(MachineFindings, AHealthyMachineHasNone) {
  const nlohmann::json s = {{"cpu", {{"logical_count", 16}}},
                            {"cgroup", {{"cpu_quota_cpus", nullptr}, {"cpu_quota_unlimited", true}}},
                            {"shm", {{"size_bytes", 64.0 * 1024 * 1024 * 1024}}},
                            {"cuda", {{"driver_version", "13.0"}, {"runtime_version", "13.0"}}},
                            {"gpu", {{"available", true}, {"devices", {{{"name", "H200"}, {"persistence_mode", true},
                                                                        {"throttle_reasons", {"gpu_idle"}}}}}}}};
  EXPECT_TRUE(machine_findings(s).empty());
}

}  // namespace
}  // namespace sb::diagnose
