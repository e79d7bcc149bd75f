// cgroup v1 / v2 / hybrid: which version, where this process sits, and the limits that apply to
// it (CPU quota, cpuset, memory, pids), taking the tightest one set by any ancestor.
#include <algorithm>
#include <charconv>
#include <filesystem>
#include <functional>
#include <sstream>

#include "env/readers.hpp"

namespace sb::env {
namespace {

// v1 reports "no memory limit" as PAGE_COUNTER_MAX pages (9223372036854771712 with 4 KiB pages);
// anything at or above 2^60 bytes (1 EiB) is no real limit on any machine.
constexpr double kUnlimitedMemoryBytes = 1152921504606846976.0;  // 2^60

std::optional<double> number(std::string_view text) {
  const std::string t = trim(text);
  long long value = 0;
  const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), value);
  if (t.empty() || ec != std::errc() || end != t.data() + t.size()) return std::nullopt;
  return static_cast<double>(value);
}

Limit value(double v) { return {Limit::Kind::Value, v}; }
Limit unlimited() { return {Limit::Kind::Unlimited, 0}; }
Limit invalid() { return {}; }

bool has(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}


}  // namespace

std::vector<CgroupLine> parse_proc_cgroup(std::string_view text) {
  std::vector<CgroupLine> lines;
  std::istringstream in{std::string(text)};
  std::string line;
  while (std::getline(in, line)) {
    const auto c1 = line.find(':');
    const auto c2 = line.find(':', c1 == std::string::npos ? c1 : c1 + 1);
    if (c1 == std::string::npos || c2 == std::string::npos) continue;
    CgroupLine l;
    const auto id = number(std::string_view(line).substr(0, c1));
    if (!id) continue;
    l.hierarchy = static_cast<int>(*id);
    l.controllers = split_words(std::string_view(line).substr(c1 + 1, c2 - c1 - 1), ',');
    l.path = trim(std::string_view(line).substr(c2 + 1));
    lines.push_back(l);
  }
  return lines;
}

std::vector<Mount> parse_cgroup_mounts(std::string_view mountinfo) {
  // "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory"
  std::vector<Mount> mounts;
  std::istringstream in{std::string(mountinfo)};
  std::string line;
  while (std::getline(in, line)) {
    const auto fields = split_words(line, ' ');
    const auto dash = std::find(fields.begin(), fields.end(), "-");
    if (fields.size() < 5 || dash == fields.end() || fields.end() - dash < 4) continue;
    const std::string& fstype = *(dash + 1);
    if (fstype != "cgroup" && fstype != "cgroup2") continue;
    mounts.push_back({unescape_octal(fields[3]), unescape_octal(fields[4]), fstype,
                      split_words(*(dash + 3), ',')});
  }
  return mounts;
}

std::optional<std::string> cgroup_version(const std::vector<Mount>& mounts) {
  // A v1 mount counts only with a resource controller: a lone "name=systemd" tracking hierarchy
  // (kept by some v2 hosts for old containers) limits nothing.
  static const std::vector<std::string> kControllers = {
      "cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "net_cls", "blkio",
      "perf_event", "net_prio", "hugetlb", "pids", "rdma", "misc"};
  bool v1 = false, v2 = false;
  for (const Mount& m : mounts) {
    if (m.fstype == "cgroup2") v2 = true;
    for (const std::string& c : kControllers) v1 = v1 || (m.fstype == "cgroup" && has(m.options, c));
  }
  if (v1 && v2) return "hybrid";
  if (v1) return "1";
  if (v2) return "2";
  return std::nullopt;
}

std::optional<CgroupDir> resolve_cgroup_dir(const std::vector<CgroupLine>& lines,
                                            const std::vector<Mount>& mounts,
                                            const std::string& controller) {
  auto join = [](const Mount& m, const std::string& path) -> std::string {
    // The mount shows m.root; the process's path is relative to the hierarchy's real root.
    std::string rel = path;
    if (m.root != "/" && rel.starts_with(m.root)) rel = rel.substr(m.root.size());
    else if (m.root != "/") rel.clear();  // outside the mounted subtree: best is the mount itself
    std::string dir = m.mount_point;
    if (!rel.empty() && rel != "/") dir += (rel.front() == '/' ? "" : "/") + rel;
    return dir;
  };
  for (const CgroupLine& l : lines) {
    if (!has(l.controllers, controller)) continue;
    for (const Mount& m : mounts)
      if (m.fstype == "cgroup" && has(m.options, controller))
        return CgroupDir{join(m, l.path), m.mount_point, true, l.path};
  }
  for (const CgroupLine& l : lines) {
    if (l.hierarchy != 0 || !l.controllers.empty()) continue;
    for (const Mount& m : mounts)
      if (m.fstype == "cgroup2") return CgroupDir{join(m, l.path), m.mount_point, false, l.path};
  }
  return std::nullopt;
}

Limit parse_cpu_max(std::string_view cpu_max) {
  const auto words = split_words(trim(cpu_max), ' ');
  if (words.empty() || words.size() > 2) return invalid();
  const auto period = words.size() == 2 ? number(words[1]) : std::optional<double>(100000);
  if (!period || *period <= 0) return invalid();
  if (words[0] == "max") return unlimited();
  const auto quota = number(words[0]);
  return quota && *quota > 0 ? value(*quota / *period) : invalid();
}

Limit parse_cfs_quota(std::string_view quota_us, std::string_view period_us) {
  const auto quota = number(quota_us);
  const auto period = number(period_us);
  if (!quota) return invalid();
  if (*quota < 0) return unlimited();  // -1: no quota
  return period && *period > 0 && *quota > 0 ? value(*quota / *period) : invalid();
}

Limit parse_memory_limit(std::string_view text) {
  if (trim(text) == "max") return unlimited();
  const auto bytes = number(text);
  if (!bytes || *bytes < 0) return invalid();
  return *bytes >= kUnlimitedMemoryBytes ? unlimited() : value(*bytes);
}

Limit parse_pids_max(std::string_view text) {
  if (trim(text) == "max") return unlimited();
  const auto n = number(text);
  return n && *n >= 0 ? value(*n) : invalid();
}

Limit tighter(const Limit& a, const Limit& b) {
  if (a.kind == Limit::Kind::Value && b.kind == Limit::Kind::Value)
    return a.value <= b.value ? a : b;
  if (a.kind == Limit::Kind::Value) return a;
  if (b.kind == Limit::Kind::Value) return b;
  return a.kind == Limit::Kind::Unlimited ? a : b;
}

namespace {

namespace fs = std::filesystem;

// The tightest limit along dir, its parent, ... up to the mount point; null when no file exists.
// Counts (bytes, pids) are written as integers, CPU quotas as fractions.
nlohmann::json walk_limit(const CgroupDir& cg, const std::function<Limit(const fs::path&)>& read,
                          const char* value_key, const char* unlimited_key, bool integral) {
  std::optional<Limit> best;
  std::string set_at;
  for (fs::path dir = cg.dir;; dir = dir.parent_path()) {
    const Limit l = read(dir);
    if (l.kind != Limit::Kind::Invalid) {
      const Limit t = best ? tighter(*best, l) : l;
      if (!best || t.kind != best->kind || t.value != best->value) set_at = dir.string();
      best = t;
    }
    if (dir.string().size() <= cg.mount_point.size() || dir == dir.parent_path()) break;
  }
  nlohmann::json j;
  j[value_key] = nullptr;
  if (best && best->kind == Limit::Kind::Value)
    j[value_key] = integral ? nlohmann::json(static_cast<std::uint64_t>(best->value))
                            : nlohmann::json(best->value);
  j[unlimited_key] = best ? nlohmann::json(best->kind == Limit::Kind::Unlimited) : nullptr;
  if (best && best->kind == Limit::Kind::Value) j[std::string(value_key) + "_set_at"] = set_at;
  return j;
}

Limit read_limit(const fs::path& file, Limit (*parse)(std::string_view)) {
  const auto text = read_file(file.string());
  return text ? parse(*text) : invalid();
}

}  // namespace

nlohmann::json cgroup_section(const std::vector<CgroupLine>& lines,
                              const std::vector<Mount>& mounts) {
  nlohmann::json j = {{"version", or_null(cgroup_version(mounts))}};
  nlohmann::json paths = nlohmann::json::object();
  for (const CgroupLine& l : lines) {
    std::string key;
    for (const std::string& c : l.controllers) key += (key.empty() ? "" : ",") + c;
    paths[key.empty() ? "unified" : key] = l.path;
  }
  j["paths"] = paths;

  if (const auto cpu = resolve_cgroup_dir(lines, mounts, "cpu")) {
    j["path"] = cpu->cgroup_path;
    j.update(walk_limit(*cpu, [&](const fs::path& d) {
      if (!cpu->v1) return read_limit(d / "cpu.max", parse_cpu_max);
      const auto quota = read_file((d / "cpu.cfs_quota_us").string());
      const auto period = read_file((d / "cpu.cfs_period_us").string());
      return quota && period ? parse_cfs_quota(*quota, *period) : invalid();
    }, "cpu_quota_cpus", "cpu_quota_unlimited", false));
  } else {
    j["path"] = lines.empty() ? nlohmann::json(nullptr) : nlohmann::json(lines.front().path);
    j["cpu_quota_cpus"] = j["cpu_quota_unlimited"] = nullptr;
  }

  j["cpuset_effective_cpus"] = j["cpuset_effective_count"] = nullptr;
  if (const auto cs = resolve_cgroup_dir(lines, mounts, "cpuset")) {
    // v2 has the file only where the controller is enabled: the nearest ancestor that has it.
    const char* file = cs->v1 ? "cpuset.effective_cpus" : "cpuset.cpus.effective";
    for (fs::path dir = cs->dir;; dir = dir.parent_path()) {
      if (const auto text = read_file((dir / file).string())) {
        if (const auto cpus = parse_cpu_list(*text)) {
          j["cpuset_effective_cpus"] = format_cpu_list(*cpus);
          j["cpuset_effective_count"] = cpus->size();
        }
        break;
      }
      if (dir.string().size() <= cs->mount_point.size() || dir == dir.parent_path()) break;
    }
  }

  j.update({{"memory_limit_bytes", nullptr}, {"memory_unlimited", nullptr}});
  if (const auto mem = resolve_cgroup_dir(lines, mounts, "memory")) {
    const char* file = mem->v1 ? "memory.limit_in_bytes" : "memory.max";
    j.update(walk_limit(*mem, [&](const fs::path& d) {
      return read_limit(d / file, parse_memory_limit);
    }, "memory_limit_bytes", "memory_unlimited", true));
  }

  j.update({{"pids_limit", nullptr}, {"pids_unlimited", nullptr}});
  if (const auto pids = resolve_cgroup_dir(lines, mounts, "pids")) {
    j.update(walk_limit(*pids, [&](const fs::path& d) {
      return read_limit(d / "pids.max", parse_pids_max);
    }, "pids_limit", "pids_unlimited", true));
  }
  return j;
}

nlohmann::json capture_cgroup() {
  return cgroup_section(parse_proc_cgroup(read_file("/proc/self/cgroup").value_or("")),
                        parse_cgroup_mounts(read_file("/proc/self/mountinfo").value_or("")));
}

}  // namespace sb::env
