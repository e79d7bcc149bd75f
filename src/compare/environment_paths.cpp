#include "compare/environment_paths.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <sstream>
#include <string_view>

namespace sb::compare {
namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char ch) { return std::tolower(ch); });
  return s;
}

bool has(std::string_view s, std::string_view fragment) { return s.find(fragment) != std::string_view::npos; }

template <std::size_t N>
bool has_any(std::string_view s, const std::string_view (&fragments)[N]) {
  return std::any_of(std::begin(fragments), std::end(fragments), [&](auto f) { return has(s, f); });
}

std::string first_component(const std::string& path) { return path.substr(0, path.find_first_of(".[")); }

// The last key without array indices: "gpu[0].clocks.sm_mhz" -> "sm_mhz".
std::string last_key(const std::string& path) {
  std::string p = path;
  while (!p.empty() && p.back() == ']') p.erase(p.rfind('['));
  const auto dot = p.rfind('.');
  return dot == std::string::npos ? p : p.substr(dot + 1);
}

// "libcublas.so" or "libcublas.so.13", but not "ulimits.nproc.soft".
bool names_shared_library(std::string_view path) {
  for (auto at = path.find(".so"); at != std::string_view::npos; at = path.find(".so", at + 1)) {
    const auto after = at + 3;
    if (after == path.size() || path[after] == '.' || path[after] == '[' || path[after] == ']') return true;
  }
  return false;
}

bool relevant_env_var(const std::string& name) {
  static const std::string_view kPrefixes[] = {"CUDA_", "NVIDIA_", "NCCL_", "CUBLAS", "OMP_", "GOMP_",
                                               "KMP_",  "OPENBLAS_", "MKL_", "LD_LIBRARY_PATH", "LD_PRELOAD"};
  return std::any_of(std::begin(kPrefixes), std::end(kPrefixes), [&](auto p) { return name.rfind(p, 0) == 0; });
}

}  // namespace

Aspect classify(const std::string& raw_path) {
  const std::string path = lower(raw_path);
  const std::string section = first_component(path);
  if (section.rfind("env", 0) == 0) {
    return relevant_env_var(raw_path.substr(raw_path.find('.') + 1)) ? Aspect::EnvVar : Aspect::Other;
  }
  // The container's security profile; "seccomp" must not read as the GPU's "ecc".
  if (section == "container" || section == "security") return Aspect::Container;
  static const std::string_view kGpuSoftware[] = {"cublas", "cudnn", "cudart", "libcuda", "nccl", "nvrtc",
                                                  "runtime_version", "cuda_version", "cuda_driver"};
  if (section == "cuda" || section == "libraries" || has_any(path, kGpuSoftware) || names_shared_library(path))
    return Aspect::GpuSoftware;
  static const std::string_view kCpuLimit[] = {"quota", "cpu_max", "cpu.max", "cpus_allowed", "allowed_cpus",
                                               "affinity", "nano_cpus", "cpu_limit"};
  if (has_any(path, kCpuLimit) || (has(path, "cpuset") && !has(path, "mems")) || last_key(path) == "cpus") {
    return Aspect::CpuLimit;
  }
  static const std::string_view kMemoryLimit[] = {"memory_limit", "memory_max", "memory.max", "mem_limit",
                                                  "memory_high", "memory.high"};
  if (has_any(path, kMemoryLimit) ||
      (section == "cgroup" && has(path, "mem") && (has(path, "limit") || has(path, "max")))) {
    return Aspect::MemoryLimit;
  }
  if (has(path, "shm")) return Aspect::Shm;
  static const std::string_view kUlimit[] = {"ulimit", "rlimit", "memlock", "nofile"};
  if (has_any(path, kUlimit)) return Aspect::Ulimit;
  static const std::string_view kGpuSetting[] = {"power_limit", "clock", "persistence", "mig", "ecc",
                                                 "compute_mode"};
  if (section != "cpu" && has(path, "driver")) return Aspect::GpuDriver;
  if (section != "cpu" && has_any(path, kGpuSetting)) return Aspect::GpuSetting;
  static const std::string_view kCpuTuning[] = {"governor", "thp", "transparent_hugepage", "hugepage", "numa",
                                                "smt", "boost", "scaling_driver", "energy_perf"};
  if (has_any(path, kCpuTuning)) return Aspect::CpuTuning;
  return Aspect::Other;
}

int importance(Aspect a) {
  switch (a) {
    case Aspect::GpuSoftware: return 100;
    case Aspect::GpuDriver: return 95;
    case Aspect::GpuSetting: return 90;
    case Aspect::CpuLimit: return 80;
    case Aspect::MemoryLimit: return 80;
    case Aspect::Shm: return 70;
    case Aspect::Ulimit: return 70;
    case Aspect::Container: return 60;
    case Aspect::EnvVar: return 50;
    case Aspect::CpuTuning: return 40;
    case Aspect::Other: return 10;
  }
  return 10;
}

bool is_volatile(const std::string& raw_path) {
  const std::string path = lower(raw_path);
  const std::string key = last_key(path);
  // Fragments of a key name that mark a reading, and why it changes on its own:
  static const std::string_view kReadings[] = {
      "timestamp", "captured",                          // when the snapshot was taken
      "uptime", "boot_id",                              // grows every second / differs per boot
      "loadavg", "load_avg", "load_average",            // the load right now
      "temperature", "temp_c", "fan",                   // sensors
      "power_draw", "power_usage",                      // instantaneous power
      "utilization", "util_pct", "usage",               // instantaneous load
      "free", "used",                                   // memory in use right now
      "pstate", "performance_state",                    // follows the load
      "throttle",  // reasons at this instant; the telemetry sampled during the run reports throttling
      "current",   // "current_*" readings (PCIe link generation drops at idle, ...)
  };
  if (std::any_of(std::begin(kReadings), std::end(kReadings), [&](auto f) { return has(key, f); })) return true;
  const auto ends_with = [&](std::string_view suffix) {
    return key.size() >= suffix.size() && key.compare(key.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  if (ends_with("_utc") || key == "time" || key == "date") return true;                  // wall clock
  if (key == "pid" || key == "ppid" || key == "tid" || ends_with("_pid")) return true;  // per process
  if (has(key, "available") && has(path, "mem")) return true;                             // free memory
  // Clock and frequency readings follow the load (boost, idle downclock); their limits do not.
  // ("locked", not "lock": every "clock" contains "lock".)
  static const std::string_view kClockSettings[] = {"max", "min", "app", "default", "limit", "locked", "target",
                                                    "base", "boost", "source", "governor", "driver", "supported"};
  if ((has(path, "clock") || has(path, "freq") || has(path, "mhz")) && !has_any(key, kClockSettings)) return true;
  return false;
}

std::optional<double> limit_value(const std::string& path, const nlohmann::json& v) {
  constexpr double kUnlimited = std::numeric_limits<double>::infinity();
  const auto normalize = [&](double x) { return x < 0 || x >= 4.611686018427388e18 ? kUnlimited : x; };
  if (v.is_number()) return normalize(v.get<double>());
  if (v.is_array()) return static_cast<double>(v.size());  // a list of CPUs
  if (!v.is_string()) return std::nullopt;
  const std::string s = lower(v.get<std::string>());
  if (s == "max" || s == "unlimited" || s == "infinity" || s.rfind("max ", 0) == 0) return kUnlimited;
  const std::string p = lower(path);
  const bool cpu_list = has(p, "cpuset") || has(p, "affinity") || has(p, "allowed") || has(p, "list");
  if (cpu_list && !s.empty() && s.find_first_not_of("0123456789,- ") == std::string::npos) {
    double count = 0;
    std::istringstream ranges(s);
    for (std::string range; std::getline(ranges, range, ',');) {
      const auto dash = range.find('-');
      count += dash == std::string::npos ? 1 : std::atof(range.c_str() + dash + 1) - std::atof(range.c_str()) + 1;
    }
    return count;
  }
  std::istringstream in(s);
  double value = 0;
  if (!(in >> value)) return std::nullopt;
  double period = 0;
  if (in >> period && period > 0) return normalize(value) / period;  // cgroup v2 cpu.max "quota period"
  in.clear();
  std::string suffix;
  in >> suffix;
  static const std::string_view kUnits = "kmgt";
  if (!suffix.empty()) {
    const auto power = kUnits.find(suffix.front());
    if (power == std::string_view::npos) return std::nullopt;
    value *= std::pow(1024.0, static_cast<double>(power + 1));
  }
  return normalize(value);
}

}  // namespace sb::compare
