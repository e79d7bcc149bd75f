// Where the CUDA and NVML libraries really came from: in a container the driver libraries are
// mounted in by the runtime, and a stale copy in the image is a classic cause of trouble. And which
// of their kernels the GPU runs: a library without SASS for it runs PTX the driver compiled at
// load time, or fallback kernels, or nothing.
#include <link.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <set>

#include "core/error.hpp"
#include "fatbin/coverage.hpp"
#include "fatbin/library_report.hpp"
#include "fatbin/mapped_libraries.hpp"
#include "env/readers.hpp"

namespace sb::env {

namespace {

// The first device's compute capability as the snapshot's cuda section gives it ("9.0" -> 90).
std::optional<int> first_device_sm(const nlohmann::json& cuda) {
  if (!cuda.is_object() || !cuda.contains("devices") || !cuda["devices"].is_array() || cuda["devices"].empty())
    return std::nullopt;
  const nlohmann::json& device = cuda["devices"][0];
  if (!device.is_object() || !device.contains("compute_capability") || !device["compute_capability"].is_string())
    return std::nullopt;
  return fatbin::sm_of_compute_capability(device["compute_capability"].get<std::string>());
}

// Our own executable (its kernels) and the CUDA libraries we mapped, into j's `coverage`: headers
// only, so that even the 500 MB libcublasLt takes a tenth of a second. A file that cannot be read
// keeps its error; without /proc/self/maps the list is empty and coverage_error says why.
void add_coverage(nlohmann::json& j, const nlohmann::json& cuda) {
  try {
    j["coverage"] = fatbin::library_report(fatbin::library_coverage(::getpid()), first_device_sm(cuda));
  } catch (const Error& e) {
    j["coverage"] = nlohmann::json::array();
    j["coverage_error"] = e.what();
  }
}

}  // namespace

nlohmann::json capture_libraries(const nlohmann::json& cuda) {
  std::set<std::string> paths;
  dl_iterate_phdr(
      [](dl_phdr_info* info, std::size_t, void* out) {
        if (info->dlpi_name && fatbin::is_cuda_library_name(info->dlpi_name))
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
  add_coverage(j, cuda);
  return j;
}

}  // namespace sb::env
