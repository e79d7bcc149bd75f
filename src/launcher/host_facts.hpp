#pragma once
// Everything the launchers need to know about the host, gathered in one place so that tests can
// feed invented facts: which tools exist, what the container daemons say about themselves, the
// NVIDIA device nodes and driver libraries, the cgroup layout, the userland to mirror, the user.
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/child_process.hpp"
#include "launcher/environment_spec.hpp"

namespace sb::launcher {

struct DeviceNode {
  std::string path;  // "/dev/nvidia0", "/dev/nvidia-caps/nvidia-cap1"
  unsigned major = 0, minor = 0;
};

struct Rlimit {
  std::int64_t soft = -1, hard = -1;  // -1 = unlimited
};

// How a path of the host userland looks: a real directory or file (mounted read-only in
// host-mirror mode) or a symlink (recreated in the minimal image, e.g. merged-usr /bin -> usr/bin).
struct MirrorPath {
  std::string path;            // "/usr", "/bin", "/etc/ld.so.cache"
  enum class Kind { Directory, File, Symlink } kind = Kind::Directory;
  std::string link_target;     // for symlinks, as stored ("usr/bin")
};

struct HostFacts {
  // name -> absolute path, for the tools found on PATH (and "SPARKBENCH_OCI_RUNTIME" when that names an executable)
  std::map<std::string, std::string> tools;
  ChildOutcome docker_info;                  // `docker info --format '{{json .}}'` (started=false: not asked or no docker)
  ChildOutcome podman_info;                  // `podman info --format json`
  std::map<std::string, std::string> tool_versions;  // crun, runc, apptainer, singularity: first line of --version
  std::vector<std::string> cdi_specs;        // CDI spec files in /etc/cdi and /var/run/cdi
  std::vector<DeviceNode> nvidia_devices;    // /dev/nvidia*, /dev/nvidia-caps/*
  std::vector<std::string> driver_libs;      // host paths of the NVIDIA driver's user-space libraries
  std::string cgroup_layout;                 // "v2", "v1" or "hybrid" (v1 plus a cgroup2 hierarchy with controllers)
  std::vector<MirrorPath> userland;          // the host userland paths that exist, for host-mirror mode
  unsigned uid = 0, gid = 0;
  std::string user_name = "root", group_name = "root";
  std::map<std::string, Rlimit> rlimits;     // "nofile", "nproc": this process's limits
  std::string oci_runtime_override;          // $SPARKBENCH_OCI_RUNTIME
  std::string docker_host;                   // $DOCKER_HOST, for messages

  std::string tool(const std::string& name) const;  // "" when not found
  bool has_gpu() const { return !nvidia_devices.empty(); }
};

// Tools looked up on PATH, and the runtimes whose daemons are queried (docker info, podman info).
HostFacts probe_host(const std::vector<Runtime>& query = container_runtimes());

// Parsers, exposed for tests.
std::vector<std::string> driver_libs_from_ldconfig(const std::string& ldconfig_p_output);
bool is_driver_library(const std::string& file_name);  // libcuda.so.1, libnvidia-ml.so.580.65, ...
// `controllers_of(mount_point)` returns the cgroup.controllers of a cgroup2 mount.
std::string cgroup_layout_from_mountinfo(const std::string& mountinfo,
                                         const std::function<std::string(const std::string&)>& controllers_of);

}  // namespace sb::launcher
