#pragma once
// The CPU bandwidth limit of this process's cgroup (docker --cpus, Kubernetes limits.cpu), which
// caps throughput without changing what the affinity mask shows.
#include <optional>
#include <string>

namespace sb {

struct CgroupCpuQuota {
  bool readable = false;        // some quota file was found and parsed
  std::optional<double> cpus;   // quota / period; empty = no limit
  std::string source;           // the file(s) read, or why nothing was
};

// Reads cgroup v2 cpu.max, or v1 cpu.cfs_quota_us / cpu.cfs_period_us, for this process's cgroup
// and its ancestors; the tightest limit wins.
CgroupCpuQuota read_cgroup_cpu_quota();

// "50000 100000" -> 0.5, "max 100000" -> empty. Throws std::logic_error on other text.
std::optional<double> parse_cgroup_v2_cpu_max(const std::string& text);
// quota -1 -> empty, otherwise quota/period.
std::optional<double> cgroup_v1_cpus(long long quota_us, long long period_us);

}  // namespace sb
