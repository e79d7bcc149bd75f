// Host memory, NUMA nodes and transparent huge pages.
#include <algorithm>
#include <filesystem>

#include "env/readers.hpp"

namespace sb::env {
namespace {

nlohmann::json meminfo_value(const std::map<std::string, std::uint64_t>& m, const char* key) {
  const auto it = m.find(key);
  return it == m.end() ? nlohmann::json(nullptr) : nlohmann::json(it->second);
}

}  // namespace

nlohmann::json capture_memory() {
  const auto m = parse_meminfo(read_file("/proc/meminfo").value_or(""));
  // Free, cached and shared memory as well as available: on a GPU that shares host memory (GB10),
  // cudaMemGetInfo's free memory follows MemFree, which excludes the page cache, and engines size
  // their KV cache from it, so a warm page cache shrinks the cache an engine allocates.
  return {{"total_bytes", meminfo_value(m, "MemTotal")},
          {"available_bytes", meminfo_value(m, "MemAvailable")},
          {"free_bytes", meminfo_value(m, "MemFree")},
          {"cached_bytes", meminfo_value(m, "Cached")},
          {"shmem_bytes", meminfo_value(m, "Shmem")},
          {"swap_total_bytes", meminfo_value(m, "SwapTotal")},
          {"hugepages_total", meminfo_value(m, "HugePages_Total")},
          {"hugepages_free", meminfo_value(m, "HugePages_Free")},
          {"hugepage_size_bytes", meminfo_value(m, "Hugepagesize")}};
}

nlohmann::json capture_numa() {
  const std::string base = "/sys/devices/system/node";
  const auto online = parse_cpu_list(read_file(base + "/online").value_or(""));
  if (!online || online->empty()) return {{"node_count", nullptr}, {"nodes", nullptr}};
  nlohmann::json nodes = nlohmann::json::array();
  for (int id : *online) {
    const std::string dir = base + "/node" + std::to_string(id);
    const auto cpus = parse_cpu_list(read_file(dir + "/cpulist").value_or(""));
    const auto mem = parse_meminfo(read_file(dir + "/meminfo").value_or(""));
    nodes.push_back({{"id", id},
                     {"cpus", cpus ? nlohmann::json(format_cpu_list(*cpus)) : nlohmann::json(nullptr)},
                     {"memory_total_bytes", meminfo_value(mem, "MemTotal")}});
  }
  return {{"node_count", online->size()}, {"nodes", nodes}};
}

nlohmann::json capture_thp() {
  const std::string base = "/sys/kernel/mm/transparent_hugepage/";
  auto choice = [&](const char* file) {
    const auto text = read_file(base + file);
    return text ? or_null(parse_bracket_choice(*text)) : nlohmann::json(nullptr);
  };
  return {{"enabled", choice("enabled")}, {"defrag", choice("defrag")}};
}

}  // namespace sb::env
