// Where the CUDA and NVML libraries really came from: in a container the driver libraries are
// mounted in by the runtime, and a stale copy in the image is a classic cause of trouble.
#include <link.h>

#include <cstdlib>
#include <filesystem>
#include <set>

#include "env/readers.hpp"

namespace sb::env {

bool is_gpu_library(std::string_view path) {
  const auto slash = path.rfind('/');
  const std::string_view file = slash == std::string_view::npos ? path : path.substr(slash + 1);
  const bool shared = file.find(".so") != std::string_view::npos;
  return shared && (file.starts_with("libcuda.so") || file.starts_with("libcublas") ||
                    file.starts_with("libcudart") || file.starts_with("libnvidia-ml"));
}

nlohmann::json capture_libraries() {
  std::set<std::string> paths;
  dl_iterate_phdr(
      [](dl_phdr_info* info, std::size_t, void* out) {
        if (info->dlpi_name && is_gpu_library(info->dlpi_name))
          static_cast<std::set<std::string>*>(out)->insert(info->dlpi_name);
        return 0;
      },
      &paths);
  nlohmann::json loaded = nlohmann::json::array();
  for (const std::string& p : paths) {
    std::error_code ec;
    const auto real = std::filesystem::canonical(p, ec);  // the versioned file behind the soname
    loaded.push_back({{"path", p}, {"real_path", ec ? nlohmann::json(nullptr) : nlohmann::json(real.string())}});
  }
  nlohmann::json j = {{"loaded", loaded}};
  j["cudart_linkage"] = SPARKBENCH_HAVE_CUDA ? "static (linked into sparkbench)" : "none (CPU-only build)";
  return j;
}

}  // namespace sb::env
