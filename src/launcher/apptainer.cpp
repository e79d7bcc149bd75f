// Apptainer (and its predecessor Singularity): no daemon, the invoking user inside, the host's
// network and IPC unless asked otherwise. Host-mirror mode runs a sandbox directory.
#include <fmt/format.h>

#include "core/error.hpp"
#include "launcher/launcher.hpp"
#include "launcher/launchers.hpp"

namespace sb::launcher {
namespace {

class ApptainerLauncher final : public Launcher {
 public:
  using Launcher::Launcher;

  Availability probe(const HostFacts& facts) const override {
    Availability a;
    const std::string tool = binary_name(facts);
    if (tool.empty()) {
      a.problem = "apptainer is not installed (neither `apptainer` nor `singularity` on PATH)";
      a.fix = "install it: Ubuntu: sudo add-apt-repository -y ppa:apptainer/ppa && sudo apt-get install apptainer; "
              "other systems: the packages at https://github.com/apptainer/apptainer/releases";
      return a;
    }
    a.usable = true;
    const auto v = facts.tool_versions.find(tool);
    a.version = v != facts.tool_versions.end() && !v->second.empty() ? v->second : tool;
    return a;
  }

  GpuChoice gpu(const HostFacts& facts) const override {
    if (!facts.has_gpu()) return {GpuInjection::None, "no /dev/nvidia* device on this host"};
    return {GpuInjection::ApptainerNv, "apptainer --nv binds the host's device nodes and driver libraries"};
  }

  ContainerOptions effective_options(const ContainerOptions& given, const HostFacts&) const override {
    const auto unsupported = [](const char* option, const char* why) {
      throw Error(fmt::format("apptainer cannot apply {}: {}", option, why),
                  fmt::format("leave out {} for apptainer, or use --env docker / --env podman", option));
    };
    if (!given.shm_size.empty()) unsupported("--shm-size", "it shares the host's /dev/shm");
    if (!given.ulimits.empty()) unsupported("--ulimit", "the container inherits the invoking shell's limits");
    if (!given.user.empty()) unsupported("--user", "it always runs as the invoking user");
    return given;
  }

  std::vector<std::string> command(const ContainerRun& run, const HostFacts& facts) const override {
    const std::string tool = binary_name(facts);
    const ContainerOptions& o = run.options;
    std::vector<std::string> cmd = {tool.empty() ? "apptainer" : facts.tool(tool), "exec", "--contain", "--cleanenv", "--pid"};
    if (!o.ipc_host) cmd.push_back("--ipc");
    if (o.network == "none") cmd.insert(cmd.end(), {"--net", "--network", "none"});
    if (run.gpu == GpuInjection::ApptainerNv) cmd.push_back("--nv");
    if (o.cpus) cmd.insert(cmd.end(), {"--cpus", fmt::format("{}", *o.cpus)});
    if (!o.cpuset_cpus.empty()) cmd.insert(cmd.end(), {"--cpuset-cpus", o.cpuset_cpus});
    if (!o.memory.empty()) cmd.insert(cmd.end(), {"--memory", o.memory});
    if (!run.workdir.empty()) cmd.insert(cmd.end(), {"--pwd", run.workdir});
    for (const auto& m : run.mounts) cmd.insert(cmd.end(), {"--bind", m.source + ":" + m.target + (m.read_only ? ":ro" : "")});
    for (const auto& [k, v] : run.env) cmd.insert(cmd.end(), {"--env", k + "=" + v});
    cmd.insert(cmd.end(), o.runtime_args.begin(), o.runtime_args.end());
    cmd.push_back(run.image);
    cmd.insert(cmd.end(), run.argv.begin(), run.argv.end());
    return cmd;
  }

 private:
  static std::string binary_name(const HostFacts& facts) {
    if (!facts.tool("apptainer").empty()) return "apptainer";
    if (!facts.tool("singularity").empty()) return "singularity";
    return "";
  }
};

}  // namespace

std::unique_ptr<Launcher> make_apptainer_launcher(const EnvSpec& spec) {
  return std::make_unique<ApptainerLauncher>(spec);
}

}  // namespace sb::launcher
