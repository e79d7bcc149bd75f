// Core classes (env/core_classes): DGX Spark's GB10 has 10 Cortex-X925 and 10 Cortex-A725 cores;
// a run must be able to say that its cpuset gave it 5 of each. Fed /proc/cpuinfo text in the arm64
// kernel's format (one block per processor with "CPU implementer" and "CPU part"; the MIDR values
// 0x410FD850 (X925) and 0x410FD870 (A725) are Arm's, as in Arm Trusted Firmware's cortex_x925.h and
// cortex_a725.h).
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "env/core_classes.hpp"

namespace sb::env {
namespace {

// GB10's layout as its kernel numbers it: the A725s first (0-9), then the X925s (10-19).
std::string gb10_cpuinfo() {
  std::string text;
  for (int cpu = 0; cpu < 20; ++cpu)
    text += fmt::format("processor\t: {}\nBogoMIPS\t: 2000.00\nFeatures\t: fp asimd sve2\nCPU implementer\t: 0x41\n"
                        "CPU architecture: 8\nCPU variant\t: 0x0\nCPU part\t: {}\nCPU revision\t: 1\n\n",
                        cpu, cpu < 10 ? "0xd87" : "0xd85");
  return text;
}

std::vector<CpuFacts> gb10_facts() {
  std::vector<CpuFacts> facts;
  for (const auto& [cpu, name] : parse_arm_core_names(gb10_cpuinfo()))
    facts.push_back({.cpu = cpu, .core = name, .capacity = cpu < 10 ? 467 : 1024, .max_mhz = cpu < 10 ? 2808.0 : 3900.0});
  return facts;
}

TEST(CoreClasses, ReadsArmCoreNamesPerProcessor) {
  const auto names = parse_arm_core_names(gb10_cpuinfo());
  ASSERT_EQ(names.size(), 20u);
  EXPECT_EQ(names[0], std::make_pair(0, std::string("Cortex-A725")));
  EXPECT_EQ(names[19], std::make_pair(19, std::string("Cortex-X925")));
  EXPECT_EQ(arm_core_name(0x41, 0xd4f), "Neoverse-V2");  // Grace
  EXPECT_FALSE(arm_core_name(0x51, 0xd85));  // the part number means something else for another implementer
  // An unknown part keeps its numbers; x86 cpuinfo has no parts at all.
  EXPECT_EQ(parse_arm_core_names("processor : 3\nCPU implementer : 0x41\nCPU part : 0xdff\n").at(0).second,
            "arm 0x41 part 0xdff");
  EXPECT_TRUE(parse_arm_core_names("processor : 0\nmodel name : AMD EPYC\n").empty());
}

TEST(CoreClasses, GroupsFastestFirstAndCountsTheAllowedCpus) {
  const auto classes = classify_cores(gb10_facts());
  ASSERT_EQ(classes.size(), 2u);
  EXPECT_EQ(classes[0].core, "Cortex-X925");
  EXPECT_EQ(classes[0].cpus.size(), 10u);
  EXPECT_EQ(classes[1].core, "Cortex-A725");
  // `--cpuset-cpus=5-14`: five of each.
  std::vector<int> cpuset;
  for (int cpu = 5; cpu <= 14; ++cpu) cpuset.push_back(cpu);
  const auto j = core_classes_json(classes, cpuset);
  EXPECT_EQ(j[0]["cpus"], "10-19");
  EXPECT_EQ(j[0]["allowed"], 5);
  EXPECT_EQ(j[1]["allowed"], 5);
  EXPECT_EQ(j[0]["capacity"], 1024);
  EXPECT_EQ(allowed_classes_text(j), "5 Cortex-X925 + 5 Cortex-A725");
  EXPECT_EQ(allowed_classes_text(core_classes_json(classes, {10, 11})), "2 Cortex-X925");
}

TEST(CoreClasses, OneKindOfCoreIsOneClassAndNeedsNoText) {
  std::vector<CpuFacts> same;
  for (int cpu = 0; cpu < 4; ++cpu) same.push_back({.cpu = cpu, .max_mhz = 3000.0});
  const auto classes = classify_cores(same);
  ASSERT_EQ(classes.size(), 1u);
  EXPECT_EQ(classes[0].core, "unknown");
  EXPECT_EQ(allowed_classes_text(core_classes_json(classes, {0, 1})), "");
  // Same name, different clocks (a binned core, x86 favoured cores): two classes, the faster first.
  same[3].max_mhz = 3500.0;
  const auto split = classify_cores(same);
  ASSERT_EQ(split.size(), 2u);
  EXPECT_EQ(split[0].cpus, std::vector<int>{3});
}

TEST(CoreClasses, ThisMachineHasAClassForEveryOnlineCpu) {
  const std::vector<int> online = {0};
  const auto facts = read_cpu_facts(online, "a model");
  ASSERT_EQ(facts.size(), 1u);
  EXPECT_TRUE(facts[0].core);
  EXPECT_EQ(classify_cores(facts).at(0).cpus, online);
}

}  // namespace
}  // namespace sb::env
