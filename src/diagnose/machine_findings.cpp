#include "diagnose/machine_findings.hpp"

#include <fmt/format.h>

namespace sb::diagnose {
namespace {

using nlohmann::json;

const json& at(const json& j, const char* section, const char* key) {
  static const json null;
  if (!j.is_object() || !j.contains(section) || !j[section].is_object() || !j[section].contains(key)) return null;
  return j[section][key];
}

// "13.0" -> 13000 + 0: CUDA's own version encoding, for comparing driver and runtime.
int cuda_version(const json& v) {
  if (!v.is_string()) return -1;
  int major = 0, minor = 0;
  if (std::sscanf(v.get<std::string>().c_str(), "%d.%d", &major, &minor) < 1) return -1;
  return major * 1000 + minor * 10;
}

}  // namespace

std::vector<Finding> machine_findings(const json& s) {
  std::vector<Finding> out;
  const json& gpu_available = at(s, "gpu", "available");
  if (gpu_available.is_boolean() && !gpu_available.get<bool>())
    out.push_back({0, "No GPU visible",
                   fmt::format("NVML: {}", at(s, "gpu", "reason").is_string() ? at(s, "gpu", "reason").get<std::string>() : "unavailable"),
                   "inside a container: check the GPU injection (`sparkbench runtimes`); natively: check `nvidia-smi` and the driver"});
  const int driver = cuda_version(at(s, "cuda", "driver_version")), runtime = cuda_version(at(s, "cuda", "runtime_version"));
  if (driver > 0 && runtime > 0 && runtime > driver)
    out.push_back({0, "CUDA runtime newer than the driver",
                   fmt::format("the driver supports CUDA {}, the loaded runtime is {}", at(s, "cuda", "driver_version").get<std::string>(),
                               at(s, "cuda", "runtime_version").get<std::string>()),
                   "use an image whose CUDA version the host driver supports, or upgrade the host driver"});
  const json& quota = at(s, "cgroup", "cpu_quota_cpus");
  const json& cpus = at(s, "cpu", "logical_count");
  if (quota.is_number() && cpus.is_number() && quota.get<double>() < cpus.get<double>())
    out.push_back({0, "CPU quota below the CPU count",
                   fmt::format("cgroup CPU quota {:.2f} CPUs on a machine with {} logical CPUs", quota.get<double>(), cpus.get<int>()),
                   "host threads launch kernels and feed data: run the container without --cpus, or with --cpus equal to the CPU count"});
  const json& shm = at(s, "shm", "size_bytes");
  if (shm.is_number() && shm.get<double>() < 1024.0 * 1024 * 1024)
    out.push_back({0, "Small /dev/shm",
                   fmt::format("/dev/shm is {:.0f} MiB (Docker's default is 64 MiB)", shm.get<double>() / (1024 * 1024)),
                   "NCCL, PyTorch data loaders and TensorRT-LLM's multi-process runs use /dev/shm: run with --ipc=host or --shm-size=16g"});
  for (const json& d : at(s, "gpu", "devices").is_array() ? at(s, "gpu", "devices") : json::array()) {
    const std::string name = d.value("name", "GPU");
    if (d.contains("persistence_mode") && d["persistence_mode"].is_boolean() && !d["persistence_mode"].get<bool>())
      out.push_back({0, fmt::format("Persistence mode off on {}", name), "nvidia-smi reports persistence mode disabled",
                     "without it every process pays driver initialisation; enable it on the host (nvidia-smi -pm 1)"});
    if (d.value("app_sm_clock_mhz", json()).is_number() && d.value("max_sm_clock_mhz", json()).is_number() &&
        d["app_sm_clock_mhz"].get<double>() < d["max_sm_clock_mhz"].get<double>())
      out.push_back({0, fmt::format("Application clocks below maximum on {}", name),
                     fmt::format("application SM clock {:.0f} MHz, maximum {:.0f} MHz", d["app_sm_clock_mhz"].get<double>(),
                                 d["max_sm_clock_mhz"].get<double>()),
                     "check `nvidia-smi -q -d CLOCK`; someone may have lowered the application clocks"});
    for (const json& r : d.value("throttle_reasons", json::array()))
      if (r.is_string() && r != "gpu_idle" && r != "applications_clocks_setting")
        out.push_back({0, fmt::format("{} throttled while idle", name), fmt::format("clock-event reason '{}' at rest", r.get<std::string>()),
                       "check cooling and power (`nvidia-smi -q -d PERFORMANCE`)"});
  }
  for (std::size_t i = 0; i < out.size(); ++i) out[i].rank = static_cast<int>(i + 1);
  return out;
}

}  // namespace sb::diagnose
