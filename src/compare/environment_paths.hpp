#pragma once
// What a flattened environment path ("cgroup.cpu_quota", "gpu[0].power_limit_w") is about, by name
// fragments, so that compare's environment diff and diagnose's findings do not depend on the
// snapshot's exact layout.
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace sb::compare {

// What a setting is about, from most to least likely to explain a GPU benchmark's difference.
enum class Aspect {
  GpuSoftware,  // CUDA driver/runtime, cuBLAS, cuDNN, NCCL versions and the paths they load from
  GpuDriver,    // the GPU's kernel driver version
  GpuSetting,   // power limit, application/max clocks, persistence, MIG, ECC, compute mode
  CpuLimit,     // cgroup CPU quota, cpuset, affinity
  MemoryLimit,  // cgroup memory limit
  Shm,          // /dev/shm size
  Ulimit,       // ulimits (memlock, nofile, stack, ...)
  Container,    // container runtime, image, security profile (seccomp, AppArmor, SELinux, capabilities)
  EnvVar,       // LD_LIBRARY_PATH, LD_PRELOAD, CUDA_*, NVIDIA_*, NCCL_*, OMP_*, BLAS threading
  CpuTuning,    // CPU governor, boost, SMT, transparent huge pages, NUMA
  Other,
};

Aspect classify(const std::string& path);
int importance(Aspect a);  // 100 (GpuSoftware) ... 10 (Other)
inline int importance(const std::string& path) { return importance(classify(path)); }

// A reading that changes from one capture to the next whatever the configuration (timestamps,
// pids, current clocks and temperatures, free memory, ...): never a difference worth reporting.
bool is_volatile(const std::string& path);

// A limit's value as a number for "which side has less": CPU lists ("0-3,8") and arrays of CPUs
// count their CPUs, cgroup v2 "quota period" strings give quota / period, sizes may carry a
// K/M/G/T suffix. +infinity for "no limit" ("max", "unlimited", negative, or >= 2^62);
// nullopt when the value cannot be read as a limit (null: the reading failed).
std::optional<double> limit_value(const std::string& path, const nlohmann::json& v);

}  // namespace sb::compare
