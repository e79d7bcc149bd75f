// Environment variables that change how CUDA, BLAS, threading or our own runs behave.
#include <array>
#include <string>

#include "core/redact.hpp"
#include "env/readers.hpp"

extern char** environ;

namespace sb::env {

bool is_relevant_env_var(std::string_view name) {
  constexpr std::array<std::string_view, 10> kPrefixes = {
      "CUDA_", "NVIDIA_", "OMP_", "OPENBLAS_", "MKL_", "TORCH_", "NCCL_", "TRTLLM_", "TLLM_",
      "SPARKBENCH_"};
  constexpr std::array<std::string_view, 3> kNames = {"LD_LIBRARY_PATH", "LD_PRELOAD", "PATH"};
  for (std::string_view p : kPrefixes)
    if (name.starts_with(p)) return true;
  for (std::string_view n : kNames)
    if (name == n) return true;
  return false;
}

nlohmann::json capture_env_vars() {
  nlohmann::json j = nlohmann::json::object();  // a std::map underneath: sorted by name
  for (char** e = environ; e && *e; ++e) {
    const std::string_view kv(*e);
    const auto eq = kv.find('=');
    if (eq == std::string_view::npos) continue;
    const std::string name(kv.substr(0, eq));
    if (!is_relevant_env_var(name)) continue;
    // Snapshots end up in result files and GitHub issues: NVIDIA_API_KEY and the like must not.
    j[name] = redact::is_secret_name(name) ? std::string(redact::kRedacted) : redact::text(kv.substr(eq + 1));
  }
  return j;
}

}  // namespace sb::env
