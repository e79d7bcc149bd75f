// capture(): every section, in an order that matters: `libraries` is read after `gpu` and `cuda`
// have loaded NVML and the CUDA driver, so that it shows the files really in use.
#include "env/environment.hpp"

#include <chrono>
#include <ctime>

#include <fmt/format.h>

#include "core/version.hpp"
#include "env/jit_caches.hpp"
#include "env/readers.hpp"
#include "env/security.hpp"

namespace sb::env {
namespace {

// A section that fails unexpectedly (a reader bug, a bad_alloc) must not cost the whole snapshot.
template <class CaptureSection>
nlohmann::json guarded(CaptureSection capture_section) {
  try {
    return capture_section();
  } catch (const std::exception& e) {
    return {{"error", e.what()}};
  }
}

std::string utc_now() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&now, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

nlohmann::json cuda_section() {
#if SPARKBENCH_HAVE_CUDA
  return capture_cuda();
#else
  return {{"available", false}, {"reason", "CPU-only build: sparkbench was built without CUDA"}};
#endif
}

}  // namespace

nlohmann::json capture() {
  nlohmann::json j;
  j["sparkbench_version"] = kVersion;
  j["timestamp_utc"] = utc_now();
  j["host"] = guarded(capture_host);
  j["os"] = guarded(capture_os);
  j["cpu"] = guarded(capture_cpu);
  j["memory"] = guarded(capture_memory);
  j["cgroup"] = guarded(capture_cgroup);
  j["shm"] = guarded(capture_shm);
  j["ulimits"] = guarded(capture_ulimits);
  j["numa"] = guarded(capture_numa);
  j["thp"] = guarded(capture_thp);
  j["container"] = guarded(capture_container);
  j["security"] = guarded(capture_security);
  j["gpu"] = guarded(capture_gpu);
  j["cuda"] = guarded(cuda_section);
  j["jit_caches"] = guarded([&] { return capture_jit_caches(j["container"].value("detected", false)); });
  j["libraries"] = guarded([&] { return capture_libraries(j["cuda"]); });
  j["env_vars"] = guarded(capture_env_vars);
  return j;
}

}  // namespace sb::env
