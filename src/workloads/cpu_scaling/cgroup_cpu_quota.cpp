#include "workloads/cpu_scaling/cgroup_cpu_quota.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace sb {
namespace {

namespace fs = std::filesystem;

// This process's cgroup path for cgroup v2 ("0::/path") or for the v1 hierarchy that carries the
// `cpu` controller ("4:cpu,cpuacct:/path"); empty when not listed.
std::optional<std::string> cgroup_path(bool v2) {
  std::ifstream in("/proc/self/cgroup");
  for (std::string line; std::getline(in, line);) {
    const auto c1 = line.find(':'), c2 = line.find(':', c1 + 1);
    if (c1 == std::string::npos || c2 == std::string::npos) continue;
    const std::string controllers = line.substr(c1 + 1, c2 - c1 - 1);
    const std::string path = line.substr(c2 + 1);
    if (v2 && line.rfind("0::", 0) == 0) return path;
    if (!v2) {
      std::stringstream list(controllers);
      for (std::string c; std::getline(list, c, ',');)
        if (c == "cpu") return path;
    }
  }
  return std::nullopt;
}

// The cgroup's directory and its ancestors up to the mount point. Inside a container without its
// own cgroup namespace the listed path may not exist under the mount; then the mount itself is the
// container's cgroup.
std::vector<fs::path> directories_up_to(const fs::path& mount, const std::string& path) {
  std::vector<fs::path> out;
  const fs::path relative = fs::path(path).relative_path();
  fs::path dir = relative.empty() ? mount : mount / relative;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return {mount};
  for (;; dir = dir.parent_path()) {
    out.push_back(dir);
    if (dir == mount || dir == dir.parent_path()) break;
  }
  return out;
}

void keep_tightest(CgroupCpuQuota& q, std::optional<double> cpus, const fs::path& file) {
  q.source += (q.source.empty() ? "" : ", ") + file.string();
  if (cpus && (!q.cpus || *cpus < *q.cpus)) q.cpus = cpus;
  q.readable = true;
}

CgroupCpuQuota read_v2(const std::string& path) {
  CgroupCpuQuota q;
  for (const auto& dir : directories_up_to("/sys/fs/cgroup", path)) {
    std::ifstream in(dir / "cpu.max");
    std::string text;
    if (!in || !std::getline(in, text)) continue;
    try {
      keep_tightest(q, parse_cgroup_v2_cpu_max(text), dir / "cpu.max");
    } catch (const std::logic_error&) {  // invalid_argument, out_of_range
    }
  }
  return q;
}

CgroupCpuQuota read_v1(const std::string& path) {
  CgroupCpuQuota q;
  for (const fs::path mount : {"/sys/fs/cgroup/cpu", "/sys/fs/cgroup/cpu,cpuacct"}) {
    for (const auto& dir : directories_up_to(mount, path)) {
      std::ifstream quota_in(dir / "cpu.cfs_quota_us"), period_in(dir / "cpu.cfs_period_us");
      long long quota = 0, period = 0;
      if (quota_in >> quota && period_in >> period) keep_tightest(q, cgroup_v1_cpus(quota, period), dir / "cpu.cfs_quota_us");
    }
    if (q.readable) break;
  }
  return q;
}

}  // namespace

std::optional<double> parse_cgroup_v2_cpu_max(const std::string& text) {
  std::istringstream in(text);
  std::string quota;
  long long period = 0;
  if (!(in >> quota >> period) || period <= 0) throw std::invalid_argument("not a cpu.max line: " + text);
  if (quota == "max") return std::nullopt;
  std::size_t used = 0;
  const long long q = std::stoll(quota, &used);
  if (used != quota.size() || q <= 0) throw std::invalid_argument("not a cpu.max line: " + text);
  return static_cast<double>(q) / static_cast<double>(period);
}

std::optional<double> cgroup_v1_cpus(long long quota_us, long long period_us) {
  if (quota_us <= 0 || period_us <= 0) return std::nullopt;  // -1 means unlimited
  return static_cast<double>(quota_us) / static_cast<double>(period_us);
}

CgroupCpuQuota read_cgroup_cpu_quota() {
  if (auto path = cgroup_path(true)) {
    CgroupCpuQuota q = read_v2(*path);
    if (q.readable) return q;
  }
  if (auto path = cgroup_path(false)) {
    CgroupCpuQuota q = read_v1(*path);
    if (q.readable) return q;
  }
  return {.readable = false, .cpus = std::nullopt, .source = "no cpu.max or cpu.cfs_quota_us readable"};
}

}  // namespace sb
