#pragma once
// Launchers turn "run this command in environment X" into a container runtime's command line.
// Everything here is a function of the EnvSpec, the options and the HostFacts, with no side
// effects, so that tests can check the exact command for invented hosts; src/launcher/session.hpp
// does the work (images, bundles, running, collecting the record).
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "launcher/environment_spec.hpp"
#include "launcher/host_facts.hpp"

namespace sb::launcher {

// How the GPU reaches the container.
enum class GpuInjection {
  None,           // no /dev/nvidia* on the host
  NvidiaRuntime,  // docker --gpus all (the NVIDIA container runtime is configured)
  Cdi,            // --device nvidia.com/gpu=all (a CDI spec exists)
  ApptainerNv,    // apptainer --nv
  Devices         // explicit /dev/nvidia* nodes plus read-only mounts of the host driver libraries
};
std::string to_string(GpuInjection g);  // "none", "nvidia-runtime", "cdi", "apptainer-nv", "devices"

struct GpuChoice {
  GpuInjection mode = GpuInjection::None;
  std::string reason;  // why this one, for `sparkbench runtimes` and the record
};

// Where the driver libraries go in a user's image (the NVIDIA convention; the bundle's launcher
// script puts these directories on the search paths).
inline constexpr const char* kDriverLibDirInImage = "/usr/local/nvidia/lib64";
inline constexpr const char* kDriverBinDirInImage = "/usr/local/nvidia/bin";

struct Availability {
  bool usable = false;
  std::string version;             // "Docker 20.10.24", "crun version 1.8.1"
  std::string problem, fix;        // when not usable
  std::vector<std::string> notes;  // facts worth knowing even when usable
};

struct Mount {
  std::string source, target;
  bool read_only = true;
};

// One container run, independent of the runtime.
struct ContainerRun {
  std::string image;       // docker/podman image; apptainer image, URI or sandbox directory
  std::string name;        // container name; the OCI container id
  std::string bundle_dir;  // oci: the directory with config.json and rootfs/
  std::vector<Mount> mounts;
  std::vector<DeviceNode> devices;  // GpuInjection::Devices
  GpuInjection gpu = GpuInjection::None;
  std::vector<std::pair<std::string, std::string>> env;
  std::vector<std::string> argv;  // the command inside
  std::string workdir;
  ContainerOptions options;  // effective options (Launcher::effective_options)
};

class Launcher {
 public:
  explicit Launcher(EnvSpec spec) : spec_(std::move(spec)) {}
  virtual ~Launcher() = default;
  const EnvSpec& spec() const { return spec_; }

  // Whether this runtime can run containers here, and if not why and how to fix it.
  virtual Availability probe(const HostFacts& facts) const = 0;
  virtual GpuChoice gpu(const HostFacts& facts) const = 0;
  // The options after the launcher's defaults (podman's ulimits, docker's --user, ...). Throws
  // sb::Error for an option this runtime cannot apply here.
  virtual ContainerOptions effective_options(const ContainerOptions& given, const HostFacts& facts) const = 0;
  // The exact command line that runs `run`.
  virtual std::vector<std::string> command(const ContainerRun& run, const HostFacts& facts) const = 0;

 private:
  EnvSpec spec_;
};

// Throws sb::Error for Runtime::Native (which needs no launcher).
std::unique_ptr<Launcher> make_launcher(const EnvSpec& spec);

// The device nodes and mounts that GpuInjection::Devices adds. In host-mirror mode the driver
// libraries under the mirrored userland are already visible at their host paths; others are
// mounted at the same path. In a user's image they go to kDriverLibDirInImage, nvidia-smi to
// kDriverBinDirInImage.
void add_gpu_devices(ContainerRun& run, const HostFacts& facts, bool host_mirror);

// The OCI runtime spec (config.json) of an oci-launcher run: namespaces pid, ipc, uts, mount and
// network (unless --network host / --ipc-host), the mounts, device nodes, rlimits and cgroup
// resources (--cpus as CFS quota over a 100 ms period, --cpuset-cpus, --memory).
nlohmann::json oci_config(const ContainerRun& run, const HostFacts& facts);

// The runtime binary the oci launcher would use ("" when none): oci:crun / oci:runc as asked,
// $SPARKBENCH_OCI_RUNTIME, else crun or runc from PATH (runc first on a hybrid cgroup layout,
// which crun refuses).
std::string oci_runtime_binary(const EnvSpec& spec, const HostFacts& facts);

// podman's OCI runtime for this host ("" = podman's default): runc where podman defaults to crun
// and the cgroup layout is hybrid.
std::string podman_runtime(const HostFacts& facts);

}  // namespace sb::launcher
