#pragma once
// Where a plan runs, as named by `--env`, and the container options that shape it.
//
//   native               this machine, no container
//   docker[:IMAGE]       podman[:IMAGE]       apptainer[:IMAGE] (singularity[:IMAGE] is the same)
//   oci[:crun|runc]      an OCI runtime driven directly with a generated bundle
//
// Without an image a container runs in host-mirror mode: the host's userland is mounted read-only
// into a minimal image, so the binary and libraries are the host's and only namespaces and
// cgroups differ. With an image, the sparkbench bundle is mounted into it and the workload uses
// the image's userland (its CUDA libraries, for instance).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace sb::launcher {

enum class Runtime { Native, Docker, Podman, Apptainer, Oci };
std::string to_string(Runtime r);                  // "native", "docker", "podman", "apptainer", "oci"
const std::vector<Runtime>& container_runtimes();  // every runtime but native, in listing order

struct EnvSpec {
  Runtime runtime = Runtime::Native;
  std::string image;        // docker/podman/apptainer: the user's image; empty = host-mirror
  std::string oci_runtime;  // oci: "crun" or "runc"; empty = chosen automatically
  std::string text;         // as written
  bool container() const { return runtime != Runtime::Native; }
  bool host_mirror() const { return container() && image.empty(); }
  // "native", "docker", "docker-pytorch-25.01-py3", "oci-crun": usable as a results directory name.
  std::string default_label() const;
};

// Throws sb::Error listing the valid forms.
EnvSpec parse_env(const std::string& text);

// A resource limit as docker's --ulimit writes it: nofile=1024:2048 (soft:hard), nofile=1024
// (both), -1 = unlimited.
struct Ulimit {
  std::string name;  // docker's names: nofile, nproc, memlock, stack, core, ...
  std::int64_t soft = 0, hard = 0;
  std::string text() const;          // "nofile=1024:2048"
  std::string rlimit_name() const;   // "RLIMIT_NOFILE"
};
Ulimit parse_ulimit(const std::string& text);

struct ContainerOptions {
  std::string shm_size;  // /dev/shm size, docker syntax ("8g"); empty = the runtime's default
  bool ipc_host = false;
  std::vector<Ulimit> ulimits;
  std::optional<double> cpus;  // CPU quota in CPUs (0.5 = half a CPU)
  std::string cpuset_cpus;     // "0-3,6"
  std::string memory;          // memory limit, docker syntax ("4g")
  std::string user;            // "uid[:gid]" or a name the image knows; empty = launcher default
  std::string network;         // "none" | "host"; empty = none (apptainer: the host's, its default)
  std::vector<std::string> runtime_args;  // passed verbatim before the image
  std::vector<std::string> mounts;        // --mount SRC[:DST][:ro|:rw], see parse_bind_mount
};

// One --mount: docker's -v syntax. SRC is an absolute host path that exists; DST (absolute) defaults
// to SRC; read-write unless ":ro". Throws sb::Error naming the option and the accepted form.
struct BindMount {
  std::string source, target;
  bool read_only = false;
};
BindMount parse_bind_mount(const std::string& text);
// Throws sb::Error for a malformed option (naming it and the accepted form).
void validate(const ContainerOptions& o);
nlohmann::json to_json(const ContainerOptions& o);

// "64m", "1g", "512k", "1048576" (bytes; b, k, m, g, t suffixes, base 1024 like docker).
// Throws sb::Error naming `option`.
std::uint64_t parse_size(const std::string& text, const std::string& option);

}  // namespace sb::launcher
