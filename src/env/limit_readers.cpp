// Per-process limits that containers commonly change: /dev/shm size and resource limits.
#include <sys/resource.h>
#include <sys/statvfs.h>

#include <array>

#include "env/readers.hpp"

namespace sb::env {
namespace {

nlohmann::json rlimit_value(rlim_t v) {
  return v == RLIM_INFINITY ? nlohmann::json("unlimited") : nlohmann::json(static_cast<std::uint64_t>(v));
}

}  // namespace

nlohmann::json capture_shm() {
  // Docker's default /dev/shm is 64 MiB: too small for NCCL and many inference servers.
  struct statvfs s {};
  if (statvfs("/dev/shm", &s) != 0) return {{"size_bytes", nullptr}, {"free_bytes", nullptr}};
  return {{"size_bytes", static_cast<std::uint64_t>(s.f_blocks) * s.f_frsize},
          {"free_bytes", static_cast<std::uint64_t>(s.f_bavail) * s.f_frsize}};
}

nlohmann::json capture_ulimits() {
  constexpr std::array<std::pair<const char*, int>, 5> kLimits{{
      {"nofile", RLIMIT_NOFILE},
      {"nproc", RLIMIT_NPROC},
      {"memlock_bytes", RLIMIT_MEMLOCK},  // pinned host memory for cudaHostAlloc/RDMA
      {"stack_bytes", RLIMIT_STACK},
      {"core_bytes", RLIMIT_CORE},
  }};
  nlohmann::json j;
  for (const auto& [name, resource] : kLimits) {
    rlimit r{};
    j[name] = getrlimit(resource, &r) == 0
                  ? nlohmann::json{{"soft", rlimit_value(r.rlim_cur)}, {"hard", rlimit_value(r.rlim_max)}}
                  : nlohmann::json(nullptr);
  }
  return j;
}

}  // namespace sb::env
