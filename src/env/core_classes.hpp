#pragma once
// Core classes: which kind of core each CPU is, so that a run can say which cores it had. DGX
// Spark's GB10 has 10 Cortex-X925 and 10 Cortex-A725 cores; a published test found pinning to the
// slow ones cost 25 % and to the fast ones gained 26 %, and `--cpuset-cpus=0-9` there mixes five of
// each. A class is the core's name (arm64: the MIDR part in /proc/cpuinfo; x86 hybrids: the
// cpu_core / cpu_atom PMU lists), with the scheduler's capacity and the maximum clock.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace sb::env {

struct CpuFacts {
  int cpu = 0;
  std::optional<std::string> core;   // "Cortex-X925", "P-core"; nullopt when nothing says
  std::optional<int> capacity;       // /sys/devices/system/cpu/cpuN/cpu_capacity (arm64, 1024 = fastest)
  std::optional<double> max_mhz;     // cpufreq/cpuinfo_max_freq
};

struct CoreClass {
  std::string core;  // the name, or "unknown"
  std::optional<int> capacity;
  std::optional<double> max_mhz;
  std::vector<int> cpus;
};

// processor number -> core name, from /proc/cpuinfo's per-processor "CPU implementer"/"CPU part"
// (arm64); an unknown part reads "arm 0x41 part 0xd99". Empty on x86 (one model name for all).
std::vector<std::pair<int, std::string>> parse_arm_core_names(std::string_view cpuinfo);

// The name of an arm64 core from its implementer and part numbers (Linux's arch/arm64
// include/asm/cputype.h and Arm's MIDR values), or nullopt.
std::optional<std::string> arm_core_name(unsigned implementer, unsigned part);

// CPUs with the same name, capacity and maximum clock form a class; the fastest class first (by
// capacity, then clock, then name). A machine of one kind of core has one class.
std::vector<CoreClass> classify_cores(const std::vector<CpuFacts>& cpus);

// [{core, cpus, count, capacity, max_mhz, allowed}]: `allowed` counts the CPUs of the class in
// `allowed_cpus` (this process's affinity, which a cpuset narrows).
nlohmann::json core_classes_json(const std::vector<CoreClass>& classes, const std::vector<int>& allowed_cpus);

// "5 Cortex-X925 + 5 Cortex-A725" of the allowed CPUs, fastest first; "" with a single class.
std::string allowed_classes_text(const nlohmann::json& core_classes);

// This machine's CPUs `online` with what /proc/cpuinfo and sysfs say of each; a CPU that nothing
// names per core (x86 without hybrid PMUs) is named `model`.
std::vector<CpuFacts> read_cpu_facts(const std::vector<int>& online, const std::optional<std::string>& model);

}  // namespace sb::env
