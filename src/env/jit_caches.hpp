#pragma once
// Kernel caches a cold start pays for: the CUDA driver's PTX JIT cache (CUDA_CACHE_PATH, default
// ~/.nv/ComputeCache), Triton's, TorchInductor's and vLLM's. A `--rm` container starts with these
// empty unless they are bind-mounted, so every start JIT-compiles again; CUDA_CACHE_DISABLE=1 turns
// the driver's off. Recorded per environment: where each cache is, how full, and whether it
// outlives the container (its mount).
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace sb::env {

struct MountPoint {  // one line of /proc/self/mountinfo
  std::string root;         // the directory of the source filesystem mounted here ("/" unless a bind mount)
  std::string mount_point;
  std::string fstype;       // "overlay", "tmpfs", "ext4", ...
  std::string source;
};
std::vector<MountPoint> parse_mountinfo(std::string_view mountinfo);

// The mount that holds `path` (the longest mount point that is a prefix of it).
const MountPoint* mount_of(const std::vector<MountPoint>& mounts, const std::string& path);

// What happens to a directory on `m` when a container ends: "container layer (lost when a --rm
// container ends)" for the root overlay, "tmpfs (lost when it is unmounted)", else "persistent".
std::string persistence(const MountPoint& m, bool in_container);

// Each cache's directory as the tools resolve it from `env` (CUDA_CACHE_PATH, TRITON_CACHE_DIR,
// TORCHINDUCTOR_CACHE_DIR, VLLM_CACHE_ROOT, HOME, USER, XDG_CACHE_HOME).
std::map<std::string, std::string> jit_cache_paths(const std::map<std::string, std::string>& env);

// {cuda_cache_disable, cuda_cache_maxsize, caches: {name: {path, exists, bytes, files, mount_point,
// fstype, persists}}}; `in_container` is the snapshot's container detection (container.detected).
nlohmann::json capture_jit_caches(bool in_container);

}  // namespace sb::env
