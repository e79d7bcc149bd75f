#include "launcher/launcher.hpp"

#include <filesystem>

#include "core/error.hpp"
#include "launcher/launchers.hpp"

namespace sb::launcher {
namespace {

// Whether `path` is visible in a host-mirror container: under a mirrored directory, or under a
// symlink that the minimal image recreates (merged-usr /lib -> usr/lib).
bool visible_in_mirror(const std::string& path, const HostFacts& facts) {
  for (const auto& m : facts.userland)
    if (path == m.path || path.rfind(m.path + "/", 0) == 0) return true;
  return false;
}

void add_mount_once(ContainerRun& run, Mount m) {
  for (const auto& existing : run.mounts)
    if (existing.target == m.target) return;
  run.mounts.push_back(std::move(m));
}

}  // namespace

std::string to_string(GpuInjection g) {
  switch (g) {
    case GpuInjection::None: return "none";
    case GpuInjection::NvidiaRuntime: return "nvidia-runtime";
    case GpuInjection::Cdi: return "cdi";
    case GpuInjection::ApptainerNv: return "apptainer-nv";
    case GpuInjection::Devices: return "devices";
  }
  return "?";
}

std::unique_ptr<Launcher> make_launcher(const EnvSpec& spec) {
  switch (spec.runtime) {
    case Runtime::Docker: return make_docker_launcher(spec);
    case Runtime::Podman: return make_podman_launcher(spec);
    case Runtime::Apptainer: return make_apptainer_launcher(spec);
    case Runtime::Oci: return make_oci_launcher(spec);
    case Runtime::Native: break;
  }
  throw Error("the native environment has no container launcher", "run natively with `sparkbench run`");
}

void add_gpu_devices(ContainerRun& run, const HostFacts& facts, bool host_mirror) {
  namespace fs = std::filesystem;
  run.devices = facts.nvidia_devices;
  std::vector<std::string> files = facts.driver_libs;
  const std::string smi = facts.tool("nvidia-smi");
  for (const auto& lib : files) {
    if (host_mirror) {
      if (!visible_in_mirror(lib, facts)) add_mount_once(run, {lib, lib, true});
    } else {
      add_mount_once(run, {lib, std::string(kDriverLibDirInImage) + "/" + fs::path(lib).filename().string(), true});
    }
  }
  if (!smi.empty()) {
    if (!host_mirror) add_mount_once(run, {smi, std::string(kDriverBinDirInImage) + "/nvidia-smi", true});
    else if (!visible_in_mirror(smi, facts)) add_mount_once(run, {smi, smi, true});
  }
}

}  // namespace sb::launcher
