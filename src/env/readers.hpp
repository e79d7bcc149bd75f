#pragma once
// Internal to src/env: pure parse functions over the text of /proc, /sys and cgroup files, so that
// tests can feed them the contents of cgroup v1 and v2 machines, and the few file helpers.
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace sb::env {

// --- files and text (text_readers.cpp) -------------------------------------------------------
std::optional<std::string> read_file(const std::string& path);  // nullopt when unreadable
std::optional<std::string> read_first_line(const std::string& path);  // trimmed
std::optional<double> read_khz_as_mhz(const std::string& path);  // a cpufreq file's kHz, as MHz
std::string trim(std::string_view s);
std::vector<std::string> split_words(std::string_view text, char sep);  // empty words dropped
std::string unescape_octal(const std::string& s);  // mountinfo's \040 escapes
std::map<std::string, std::string> process_environment();  // this process's variables, by name
template <class T>
nlohmann::json or_null(const std::optional<T>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

// A kernel CPU list ("0-3,8,10-11") -> sorted CPUs; nullopt when malformed. "" is the empty set.
std::optional<std::vector<int>> parse_cpu_list(std::string_view text);
std::string format_cpu_list(const std::vector<int>& cpus);  // {0,1,2,3,8} -> "0-3,8"

// KEY=value lines, values unquoted (os-release).
std::map<std::string, std::string> parse_key_value_lines(std::string_view text);

// The [selected] word of a sysfs choice file: "always [madvise] never" -> "madvise".
std::optional<std::string> parse_bracket_choice(std::string_view text);

// "Key:   1234 kB" lines (/proc/meminfo, node meminfo with "Node N " prefix): key -> bytes when the
// unit is kB, else the bare number.
std::map<std::string, std::uint64_t> parse_meminfo(std::string_view text);

// The CPU model from /proc/cpuinfo: "model name" (x86), else "Hardware"/"CPU implementer" +
// "CPU part" (arm64, which has no model name).
std::optional<std::string> parse_cpu_model(std::string_view cpuinfo);

// {value: count} of a list of per-policy values (cpufreq governors).
nlohmann::json count_values(const std::vector<std::string>& values);

// --- cgroups (cgroup_readers.cpp) ------------------------------------------------------------
struct CgroupLine {  // one line of /proc/self/cgroup: "4:memory:/docker/abc" or "0::/user.slice"
  int hierarchy = -1;
  std::vector<std::string> controllers;  // empty for the v2 line
  std::string path;
};
std::vector<CgroupLine> parse_proc_cgroup(std::string_view text);

struct Mount {  // one cgroup/cgroup2 line of /proc/self/mountinfo
  std::string root;         // the cgroup directory mounted (not "/" without a cgroup namespace)
  std::string mount_point;  // where it is mounted
  std::string fstype;       // "cgroup" or "cgroup2"
  std::vector<std::string> options;  // super options: the v1 controllers ("rw,cpu,cpuacct")
};
std::vector<Mount> parse_cgroup_mounts(std::string_view mountinfo);

// "1", "2", "hybrid" (v1 controllers plus a v2 mount), or nullopt without cgroup mounts.
std::optional<std::string> cgroup_version(const std::vector<Mount>& mounts);

// The directory holding this process's files for a controller ("cpu", "memory", "cpuset",
// "pids"): the v1 hierarchy that carries it, else the v2 one. `v1` says which file names apply.
struct CgroupDir {
  std::string dir;
  std::string mount_point;  // walk up from dir to here for limits set by ancestors
  bool v1 = false;
  std::string cgroup_path;  // as in /proc/self/cgroup
};
std::optional<CgroupDir> resolve_cgroup_dir(const std::vector<CgroupLine>& lines,
                                            const std::vector<Mount>& mounts,
                                            const std::string& controller);

// A cgroup limit: a value, explicitly unlimited ("max", -1, v1's near-2^63 sentinel), or a file
// that did not parse.
struct Limit {
  enum class Kind { Value, Unlimited, Invalid } kind = Kind::Invalid;
  double value = 0;
};
Limit parse_cpu_max(std::string_view cpu_max);                                // v2 "50000 100000"
Limit parse_cfs_quota(std::string_view quota_us, std::string_view period_us);  // v1
Limit parse_memory_limit(std::string_view text);  // v2 memory.max, v1 memory.limit_in_bytes
Limit parse_pids_max(std::string_view text);      // both versions: "max" or a count
// The tighter of two limits (a value beats unlimited; Invalid loses to either).
Limit tighter(const Limit& a, const Limit& b);

// The cgroup section from parsed /proc/self/cgroup and mountinfo; reads the limit files under the
// mount points, walking up to each mount point for the tightest limit an ancestor sets.
nlohmann::json cgroup_section(const std::vector<CgroupLine>& lines, const std::vector<Mount>& mounts);

// --- container detection (container_readers.cpp) ---------------------------------------------
struct ContainerInputs {
  bool dockerenv = false;     // /.dockerenv exists
  bool containerenv = false;  // /run/.containerenv exists (podman, also apptainer --oci)
  std::string containerenv_text;
  std::vector<std::string> cgroup_paths;     // paths of /proc/self/cgroup
  std::map<std::string, std::string> env;    // the environment (only relevant names are read)
};
// {detected, runtime (or null), runtime_source, evidence: [...]}
nlohmann::json detect_container(const ContainerInputs& in);

// --- names filters (env_vars.cpp; libraries.cpp uses fatbin::is_cuda_library_name) ------------
bool is_relevant_env_var(std::string_view name);

// --- sections: each returns its JSON section and never throws for a missing reading ----------
nlohmann::json capture_host();
nlohmann::json capture_os();
nlohmann::json capture_cpu();
nlohmann::json capture_memory();
nlohmann::json capture_cgroup();
nlohmann::json capture_shm();
nlohmann::json capture_ulimits();
nlohmann::json capture_numa();
nlohmann::json capture_thp();
nlohmann::json capture_container();
nlohmann::json capture_gpu();   // NVML; works in CPU-only builds
nlohmann::json capture_cuda();  // defined only in CUDA builds (cuda_versions_cuda.cpp)
// The GPU libraries loaded, and the kernel coverage of each for the GPU that `cuda` (the snapshot's
// cuda section) lists first.
nlohmann::json capture_libraries(const nlohmann::json& cuda);
nlohmann::json capture_env_vars();

}  // namespace sb::env
