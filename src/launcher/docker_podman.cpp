// Docker and Podman: the same command-line dialect, different daemons and defaults.
#include <fmt/format.h>

#include "core/error.hpp"
#include "launcher/launcher.hpp"
#include "launcher/launchers.hpp"

namespace sb::launcher {
namespace {

std::string first_line(const std::string& s) {
  const auto start = s.find_first_not_of(" \n\t");
  if (start == std::string::npos) return "";
  return s.substr(start, s.find('\n', start) - start);
}

bool contains(const std::string& haystack, const char* needle) { return haystack.find(needle) != std::string::npos; }

nlohmann::json parse_json(const std::string& text) {
  return nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
}

// The docker/podman flags shared by both, in the order `docker run --help` lists them.
void add_common_run_flags(std::vector<std::string>& cmd, const ContainerRun& run) {
  const ContainerOptions& o = run.options;
  cmd.insert(cmd.end(), {"run", "--rm", "--name", run.name, "--network", o.network.empty() ? "none" : o.network});
  if (!o.user.empty()) cmd.insert(cmd.end(), {"--user", o.user});
  if (!o.shm_size.empty()) cmd.insert(cmd.end(), {"--shm-size", o.shm_size});
  if (o.ipc_host) cmd.insert(cmd.end(), {"--ipc", "host"});
  for (const auto& u : o.ulimits) cmd.insert(cmd.end(), {"--ulimit", u.text()});
  if (o.cpus) cmd.insert(cmd.end(), {"--cpus", fmt::format("{}", *o.cpus)});
  if (!o.cpuset_cpus.empty()) cmd.insert(cmd.end(), {"--cpuset-cpus", o.cpuset_cpus});
  if (!o.memory.empty()) cmd.insert(cmd.end(), {"--memory", o.memory});
  switch (run.gpu) {
    case GpuInjection::NvidiaRuntime: cmd.insert(cmd.end(), {"--gpus", "all"}); break;
    case GpuInjection::Cdi: cmd.insert(cmd.end(), {"--device", "nvidia.com/gpu=all"}); break;
    case GpuInjection::Devices:
      for (const auto& d : run.devices) cmd.insert(cmd.end(), {"--device", d.path});
      break;
    case GpuInjection::None:
    case GpuInjection::ApptainerNv: break;
  }
  for (const auto& m : run.mounts) {
    if (m.source.find(':') != std::string::npos || m.target.find(':') != std::string::npos)
      throw Error(fmt::format("cannot bind-mount '{}': the path contains ':'", m.source),
                  "move the sparkbench build or results to a path without ':'");
    cmd.insert(cmd.end(), {"-v", m.source + ":" + m.target + (m.read_only ? ":ro" : "")});
  }
  for (const auto& [k, v] : run.env) cmd.insert(cmd.end(), {"-e", k + "=" + v});
  if (!run.workdir.empty()) cmd.insert(cmd.end(), {"-w", run.workdir});
  cmd.insert(cmd.end(), o.runtime_args.begin(), o.runtime_args.end());
  cmd.push_back(run.image);
  cmd.insert(cmd.end(), run.argv.begin(), run.argv.end());
}

constexpr std::int64_t kPodmanNprocCap = 32768;

GpuChoice mirror_or_none(const HostFacts& facts, bool host_mirror) {
  if (!facts.has_gpu()) return {GpuInjection::None, "no /dev/nvidia* device on this host"};
  if (host_mirror)
    return {GpuInjection::Devices,
            "host-mirror: the host's driver libraries are visible through the mirrored userland; "
            "the /dev/nvidia* nodes are added explicitly"};
  return {GpuInjection::None, ""};
}

class DockerLauncher final : public Launcher {
 public:
  using Launcher::Launcher;

  Availability probe(const HostFacts& facts) const override {
    Availability a;
    if (facts.tool("docker").empty()) {
      a.problem = "docker is not installed (no `docker` on PATH)";
      a.fix = "install it: sudo apt-get install docker.io (Debian/Ubuntu), then start the daemon "
              "(sudo systemctl start docker, or run dockerd yourself and set DOCKER_HOST)";
      return a;
    }
    const nlohmann::json info = parse_json(facts.docker_info.out);
    std::string error = first_line(facts.docker_info.err);
    if (info.is_object() && info.contains("ServerErrors") && info["ServerErrors"].is_array() &&
        !info["ServerErrors"].empty())
      error = info["ServerErrors"][0].get<std::string>();  // older clients exit 0 and report here
    const bool ok = facts.docker_info.started && facts.docker_info.exit_code == 0 && error.empty() && info.is_object() &&
                    !info.value("ServerVersion", "").empty();
    if (!ok) {
      const std::string where = facts.docker_host.empty() ? "the default socket /var/run/docker.sock"
                                                          : "DOCKER_HOST=" + facts.docker_host;
      if (error.empty()) error = first_line(facts.docker_info.out);
      if (contains(error, "permission denied")) {
        a.problem = fmt::format("permission denied on the Docker daemon's socket ({}): {}", where, error);
        a.fix = "add your user to the docker group (sudo usermod -aG docker $USER, then log in again), or run as root";
      } else if (contains(error, "Cannot connect") || contains(error, "daemon running") ||
                 contains(error, "connection refused") || contains(error, "no such file")) {
        a.problem = fmt::format("the Docker daemon is not running ({}): {}", where, error);
        a.fix = "start it: sudo systemctl start docker (without systemd: sudo dockerd &), or point DOCKER_HOST "
                "at a running daemon's socket";
      } else {
        a.problem = fmt::format("`docker info` failed ({}): {}", where, error.empty() ? "no output" : error);
        a.fix = "run `docker info` to see what is wrong with the Docker installation";
      }
      return a;
    }
    a.usable = true;
    a.version = "Docker " + info.value("ServerVersion", "");
    a.notes.push_back(fmt::format("cgroup v{} ({} driver)", info.value("CgroupVersion", "?"),
                                  info.value("CgroupDriver", "?")));
    if (info.contains("Warnings") && info["Warnings"].is_array())
      for (const auto& w : info["Warnings"])
        if (w.is_string()) a.notes.push_back(w.get<std::string>());
    return a;
  }

  GpuChoice gpu(const HostFacts& facts) const override {
    if (auto c = mirror_or_none(facts, spec().host_mirror()); !c.reason.empty()) return c;
    const nlohmann::json info = parse_json(facts.docker_info.out);
    if (info.is_object() && info.contains("Runtimes") && info["Runtimes"].is_object() &&
        info["Runtimes"].contains("nvidia"))
      return {GpuInjection::NvidiaRuntime, "`docker info` lists the nvidia runtime (NVIDIA container toolkit)"};
    const bool docker_cdi = info.is_object() && info.contains("CDISpecDirs") && info["CDISpecDirs"].is_array() &&
                            !info["CDISpecDirs"].empty();
    if (docker_cdi && !facts.cdi_specs.empty())
      return {GpuInjection::Cdi, "a CDI spec exists (" + facts.cdi_specs.front() + ") and Docker has CDI enabled"};
    return {GpuInjection::Devices,
            "no NVIDIA container runtime or CDI spec: /dev/nvidia* nodes and the host driver libraries are passed explicitly"};
  }

  ContainerOptions effective_options(const ContainerOptions& given, const HostFacts& facts) const override {
    ContainerOptions o = given;
    // Results come back through a bind mount: files written as the invoking user stay theirs.
    if (o.user.empty() && facts.uid != 0) o.user = fmt::format("{}:{}", facts.uid, facts.gid);
    const nlohmann::json info = parse_json(facts.docker_info.out);
    const auto unsupported = [&](const char* key) { return info.is_object() && info.value(key, true) == false; };
    if (o.cpus && unsupported("CpuCfsQuota"))
      throw Error("this Docker daemon cannot apply --cpus: `docker info` reports no CPU CFS quota support",
                  "enable the cpu cgroup controller for Docker, or leave out --cpus");
    if (!o.memory.empty() && unsupported("MemoryLimit"))
      throw Error("this Docker daemon cannot apply --memory: `docker info` reports no memory limit support",
                  "enable the memory cgroup controller (kernel cgroup_enable=memory), or leave out --memory");
    if (!o.cpuset_cpus.empty() && unsupported("CPUSet"))
      throw Error("this Docker daemon cannot apply --cpuset-cpus: `docker info` reports no cpuset support",
                  "enable the cpuset cgroup controller, or leave out --cpuset-cpus");
    return o;
  }

  std::vector<std::string> command(const ContainerRun& run, const HostFacts& facts) const override {
    std::vector<std::string> cmd = {facts.tool("docker").empty() ? "docker" : facts.tool("docker")};
    add_common_run_flags(cmd, run);
    return cmd;
  }
};

class PodmanLauncher final : public Launcher {
 public:
  using Launcher::Launcher;

  Availability probe(const HostFacts& facts) const override {
    Availability a;
    if (facts.tool("podman").empty()) {
      a.problem = "podman is not installed (no `podman` on PATH)";
      a.fix = "install it: sudo apt-get install podman runc (Debian/Ubuntu)";
      return a;
    }
    const nlohmann::json info = parse_json(facts.podman_info.out);
    if (!facts.podman_info.started || facts.podman_info.exit_code != 0 || !info.is_object()) {
      const std::string error = first_line(facts.podman_info.err);
      a.problem = fmt::format("`podman info` failed: {}", error.empty() ? "no output" : error);
      a.fix = contains(error, "newuidmap") || contains(error, "subuid") || contains(error, "user namespace")
                  ? "rootless podman needs subordinate ids: sudo usermod --add-subuids 100000-165535 "
                    "--add-subgids 100000-165535 $USER (and apt-get install uidmap), or run as root"
                  : "run `podman info` to see what is wrong with the Podman installation";
      return a;
    }
    const nlohmann::json host = info.value("host", nlohmann::json::object());
    const std::string default_runtime = host.value("ociRuntime", nlohmann::json::object()).value("name", "");
    if (default_runtime == "crun" && facts.cgroup_layout == "hybrid" && facts.tool("runc").empty()) {
      a.problem = "podman's runtime crun refuses this host's hybrid cgroup layout (controllers in both cgroup v1 "
                  "and v2), and runc is not installed";
      a.fix = "install runc (sudo apt-get install runc): sparkbench then runs podman with --runtime runc";
      return a;
    }
    a.usable = true;
    a.version = "Podman " + info.value("version", nlohmann::json::object()).value("Version", "?");
    const std::string runtime = podman_runtime(facts);
    if (!runtime.empty())
      a.notes.push_back("runs with --runtime " + runtime + ": crun refuses this host's hybrid cgroup layout");
    a.notes.push_back(fmt::format("cgroup {}{}", host.value("cgroupVersion", "?"),
                                  rootless(facts) ? ", rootless" : ""));
    return a;
  }

  GpuChoice gpu(const HostFacts& facts) const override {
    if (auto c = mirror_or_none(facts, spec().host_mirror()); !c.reason.empty()) return c;
    if (!facts.cdi_specs.empty()) return {GpuInjection::Cdi, "a CDI spec exists (" + facts.cdi_specs.front() + ")"};
    return {GpuInjection::Devices, "no CDI spec: /dev/nvidia* nodes and the host driver libraries are passed explicitly"};
  }

  ContainerOptions effective_options(const ContainerOptions& given, const HostFacts& facts) const override {
    ContainerOptions o = given;
    // podman raises nofile (to 1048576) and nproc by default, and raising a hard limit needs
    // CAP_SYS_RESOURCE, which a root without it (in a container, say) lacks. The caller's nofile
    // always works and is what the native run has; nproc is capped at podman's documented default
    // 32768, the most its runtime accepts there (measured: 32768 works, 50000 fails).
    for (const char* name : {"nofile", "nproc"}) {
      bool given_already = false;
      for (const auto& u : o.ulimits) given_already |= u.name == name;
      const auto it = facts.rlimits.find(name);
      if (given_already || it == facts.rlimits.end()) continue;
      Rlimit r = it->second;
      if (std::string(name) == "nproc") {
        const auto cap = [](std::int64_t v) { return v < 0 || v > kPodmanNprocCap ? kPodmanNprocCap : v; };
        r = {cap(r.soft), cap(r.hard)};
      }
      o.ulimits.push_back({name, r.soft, r.hard});
    }
    const bool limits = o.cpus || !o.memory.empty() || !o.cpuset_cpus.empty();
    if (limits && rootless(facts) && facts.cgroup_layout != "v2")
      throw Error("rootless podman cannot apply --cpus, --memory or --cpuset-cpus on cgroup v1",
                  "run sparkbench as root for podman, or use --env docker");
    return o;
  }

  std::vector<std::string> command(const ContainerRun& run, const HostFacts& facts) const override {
    std::vector<std::string> cmd = {facts.tool("podman").empty() ? "podman" : facts.tool("podman")};
    if (const std::string runtime = podman_runtime(facts); !runtime.empty()) cmd.insert(cmd.end(), {"--runtime", runtime});
    add_common_run_flags(cmd, run);
    return cmd;
  }

 private:
  static bool rootless(const HostFacts& facts) {
    const nlohmann::json info = parse_json(facts.podman_info.out);
    if (!info.is_object()) return facts.uid != 0;
    return info.value("host", nlohmann::json::object())
        .value("security", nlohmann::json::object())
        .value("rootless", facts.uid != 0);
  }
};

}  // namespace

std::string podman_runtime(const HostFacts& facts) {
  const nlohmann::json info = parse_json(facts.podman_info.out);
  if (!info.is_object()) return "";
  const std::string name =
      info.value("host", nlohmann::json::object()).value("ociRuntime", nlohmann::json::object()).value("name", "");
  return name == "crun" && facts.cgroup_layout == "hybrid" && !facts.tool("runc").empty() ? "runc" : "";
}

std::unique_ptr<Launcher> make_docker_launcher(const EnvSpec& spec) { return std::make_unique<DockerLauncher>(spec); }
std::unique_ptr<Launcher> make_podman_launcher(const EnvSpec& spec) { return std::make_unique<PodmanLauncher>(spec); }

}  // namespace sb::launcher
