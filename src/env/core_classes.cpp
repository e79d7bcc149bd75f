#include "env/core_classes.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include <fmt/format.h>

#include "env/readers.hpp"

namespace sb::env {
namespace {

std::optional<unsigned> parse_number(const std::string& text) {
  try {
    std::size_t used = 0;
    const unsigned long v = std::stoul(text, &used, 0);  // "0x41", "0xd85"
    return used == text.size() ? std::optional<unsigned>(static_cast<unsigned>(v)) : std::nullopt;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::optional<int> read_int(const std::string& path) {
  const auto line = read_first_line(path);
  if (!line) return std::nullopt;
  const auto v = parse_number(*line);
  return v ? std::optional<int>(static_cast<int>(*v)) : std::nullopt;
}

}  // namespace

std::optional<std::string> arm_core_name(unsigned implementer, unsigned part) {
  if (implementer == 0x4e && part == 0x004) return "Carmel";  // NVIDIA (Xavier)
  if (implementer != 0x41) return std::nullopt;               // 0x41: Arm Ltd.
  static const std::map<unsigned, const char*> arm = {
      {0xd03, "Cortex-A53"},  {0xd04, "Cortex-A35"},   {0xd05, "Cortex-A55"},  {0xd07, "Cortex-A57"},
      {0xd08, "Cortex-A72"},  {0xd09, "Cortex-A73"},   {0xd0a, "Cortex-A75"},  {0xd0b, "Cortex-A76"},
      {0xd0c, "Neoverse-N1"}, {0xd0d, "Cortex-A77"},   {0xd40, "Neoverse-V1"}, {0xd41, "Cortex-A78"},
      {0xd42, "Cortex-A78AE"}, {0xd44, "Cortex-X1"},   {0xd46, "Cortex-A510"}, {0xd47, "Cortex-A710"},
      {0xd48, "Cortex-X2"},   {0xd49, "Neoverse-N2"},  {0xd4d, "Cortex-A715"}, {0xd4e, "Cortex-X3"},
      {0xd4f, "Neoverse-V2"}, {0xd80, "Cortex-A520"},  {0xd81, "Cortex-A720"}, {0xd82, "Cortex-X4"},
      {0xd84, "Neoverse-V3"}, {0xd85, "Cortex-X925"},  {0xd87, "Cortex-A725"},
  };
  const auto it = arm.find(part);
  return it == arm.end() ? std::nullopt : std::optional<std::string>(it->second);
}

std::vector<std::pair<int, std::string>> parse_arm_core_names(std::string_view cpuinfo) {
  std::vector<std::pair<int, std::string>> out;
  std::optional<int> processor;
  std::optional<unsigned> implementer, part;
  const auto flush = [&] {
    if (processor && implementer && part)
      out.emplace_back(*processor, arm_core_name(*implementer, *part)
                                       .value_or(fmt::format("arm {:#x} part {:#x}", *implementer, *part)));
    processor.reset();
    implementer.reset();
    part.reset();
  };
  std::size_t start = 0;
  while (start <= cpuinfo.size()) {
    const std::size_t end = std::min(cpuinfo.find('\n', start), cpuinfo.size());
    const std::string_view line = cpuinfo.substr(start, end - start);
    start = end + 1;
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    const std::string key = trim(line.substr(0, colon)), value = trim(line.substr(colon + 1));
    if (key == "processor") {
      flush();
      if (const auto v = parse_number(value)) processor = static_cast<int>(*v);
    } else if (key == "CPU implementer") {
      implementer = parse_number(value);
    } else if (key == "CPU part") {
      part = parse_number(value);
    }
  }
  flush();
  return out;
}

std::vector<CoreClass> classify_cores(const std::vector<CpuFacts>& cpus) {
  using Key = std::tuple<std::string, std::optional<int>, std::optional<double>>;
  std::map<Key, std::vector<int>> groups;
  for (const CpuFacts& c : cpus) groups[{c.core.value_or("unknown"), c.capacity, c.max_mhz}].push_back(c.cpu);
  std::vector<CoreClass> out;
  for (auto& [key, list] : groups) {
    std::sort(list.begin(), list.end());
    out.push_back({std::get<0>(key), std::get<1>(key), std::get<2>(key), list});
  }
  std::sort(out.begin(), out.end(), [](const CoreClass& a, const CoreClass& b) {
    return std::tuple(a.capacity.value_or(0), a.max_mhz.value_or(0), b.core) >
           std::tuple(b.capacity.value_or(0), b.max_mhz.value_or(0), a.core);
  });
  return out;
}

nlohmann::json core_classes_json(const std::vector<CoreClass>& classes, const std::vector<int>& allowed_cpus) {
  const std::set<int> allowed(allowed_cpus.begin(), allowed_cpus.end());
  nlohmann::json out = nlohmann::json::array();
  for (const CoreClass& c : classes) {
    const auto in_allowed = std::count_if(c.cpus.begin(), c.cpus.end(), [&](int cpu) { return allowed.count(cpu) != 0; });
    out.push_back({{"core", c.core},
                   {"cpus", format_cpu_list(c.cpus)},
                   {"count", c.cpus.size()},
                   {"capacity", or_null(c.capacity)},
                   {"max_mhz", or_null(c.max_mhz)},
                   {"allowed", in_allowed}});
  }
  return out;
}

std::string allowed_classes_text(const nlohmann::json& core_classes) {
  if (!core_classes.is_array() || core_classes.size() < 2) return "";
  std::string text;
  for (const auto& c : core_classes) {
    const auto n = c.value("allowed", 0);
    if (n == 0) continue;
    text += fmt::format("{}{} {}", text.empty() ? "" : " + ", n, c.value("core", std::string("unknown")));
  }
  return text.empty() ? "none" : text;
}

std::vector<CpuFacts> read_cpu_facts(const std::vector<int>& online, const std::optional<std::string>& model) {
  std::map<int, std::string> names;
  for (auto& [cpu, name] : parse_arm_core_names(read_file("/proc/cpuinfo").value_or(""))) names[cpu] = name;
  // x86 hybrids (Alder Lake and later) list their performance and efficiency cores per PMU.
  for (const auto& [pmu, name] : {std::pair{"cpu_core", "P-core"}, std::pair{"cpu_atom", "E-core"}})
    if (const auto list = parse_cpu_list(read_file(fmt::format("/sys/devices/{}/cpus", pmu)).value_or("")))
      for (int cpu : *list) names[cpu] = name;
  std::vector<CpuFacts> out;
  for (int cpu : online) {
    const std::string dir = fmt::format("/sys/devices/system/cpu/cpu{}", cpu);
    CpuFacts f{.cpu = cpu,
               .core = names.count(cpu) ? std::optional<std::string>(names[cpu]) : model,
               .capacity = read_int(dir + "/cpu_capacity"),
               .max_mhz = read_khz_as_mhz(dir + "/cpufreq/cpuinfo_max_freq")};
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace sb::env
