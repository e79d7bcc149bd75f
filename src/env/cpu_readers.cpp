// CPU model, the CPUs online and allowed to this process, and frequency scaling.
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>

#include "env/core_classes.hpp"
#include "env/readers.hpp"

namespace sb::env {
namespace {

std::optional<std::vector<int>> affinity() {
  // The set may exceed CPU_SETSIZE on huge machines: grow until the kernel accepts the size.
  for (int n = 1024; n <= (1 << 20); n *= 4) {
    cpu_set_t* set = CPU_ALLOC(n);
    const std::size_t size = CPU_ALLOC_SIZE(n);
    if (sched_getaffinity(0, size, set) == 0) {
      std::vector<int> cpus;
      for (int cpu = 0; cpu < n; ++cpu)
        if (CPU_ISSET_S(cpu, size, set)) cpus.push_back(cpu);
      CPU_FREE(set);
      return cpus;
    }
    CPU_FREE(set);
    if (errno != EINVAL) break;
  }
  return std::nullopt;
}

}  // namespace

nlohmann::json capture_cpu() {
  nlohmann::json j;
  const auto model = parse_cpu_model(read_file("/proc/cpuinfo").value_or(""));
  j["model"] = or_null(model);
  const long configured = sysconf(_SC_NPROCESSORS_CONF);
  j["logical_count"] = configured > 0 ? nlohmann::json(configured) : nlohmann::json(nullptr);

  j["online_list"] = j["online_count"] = nullptr;
  std::optional<std::vector<int>> online;
  if (const auto text = read_file("/sys/devices/system/cpu/online"))
    if ((online = parse_cpu_list(*text))) {
      j["online_list"] = format_cpu_list(*online);
      j["online_count"] = online->size();
    }
  j["affinity_list"] = j["affinity_count"] = nullptr;
  const auto allowed = affinity();
  if (allowed) {
    j["affinity_list"] = format_cpu_list(*allowed);
    j["affinity_count"] = allowed->size();
  }
  // Which kinds of core there are, and how many of each this process may run on.
  j["core_classes"] = online ? core_classes_json(classify_cores(read_cpu_facts(*online, model)), allowed.value_or(*online))
                             : nlohmann::json(nullptr);
  j["affinity_classes"] = nullptr;
  if (const std::string text = allowed_classes_text(j["core_classes"]); !text.empty()) j["affinity_classes"] = text;

  // One cpufreq policy per group of CPUs that share a clock; VMs and containers may have none.
  std::vector<std::string> governors, drivers;
  std::optional<double> max_mhz, min_mhz;
  std::error_code ec;
  for (const auto& entry :
       std::filesystem::directory_iterator("/sys/devices/system/cpu/cpufreq", ec)) {
    if (!entry.path().filename().string().starts_with("policy")) continue;
    if (auto g = read_first_line((entry.path() / "scaling_governor").string())) governors.push_back(*g);
    if (auto d = read_first_line((entry.path() / "scaling_driver").string())) drivers.push_back(*d);
    if (auto mx = read_khz_as_mhz((entry.path() / "cpuinfo_max_freq").string()))
      max_mhz = std::max(max_mhz.value_or(*mx), *mx);
    if (auto mn = read_khz_as_mhz((entry.path() / "cpuinfo_min_freq").string()))
      min_mhz = std::min(min_mhz.value_or(*mn), *mn);
  }
  j["governors"] = governors.empty() ? nlohmann::json(nullptr) : count_values(governors);
  j["scaling_drivers"] = drivers.empty() ? nlohmann::json(nullptr) : count_values(drivers);
  j["max_mhz"] = or_null(max_mhz);
  j["min_mhz"] = or_null(min_mhz);
  return j;
}

}  // namespace sb::env
