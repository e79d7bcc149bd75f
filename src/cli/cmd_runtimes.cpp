// `sparkbench runtimes`: which container runtimes can run here, why not, and how the GPU would
// reach the container.
#include <memory>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/commands.hpp"
#include "launcher/launcher.hpp"

namespace sb::cli {

nlohmann::json runtimes_report(const launcher::HostFacts& facts) {
  nlohmann::json out = nlohmann::json::array();
  for (launcher::Runtime r : launcher::container_runtimes()) {
    launcher::EnvSpec mirror{r};
    launcher::EnvSpec with_image{r, "IMAGE"};
    const auto l = launcher::make_launcher(mirror);
    const launcher::Availability a = l->probe(facts);
    const launcher::GpuChoice g_mirror = l->gpu(facts);
    nlohmann::json j = {{"runtime", to_string(r)}, {"usable", a.usable}, {"version", a.version}, {"notes", a.notes},
                        {"gpu_host_mirror", {{"mode", to_string(g_mirror.mode)}, {"reason", g_mirror.reason}}}};
    if (r != launcher::Runtime::Oci) {
      const launcher::GpuChoice g_image = launcher::make_launcher(with_image)->gpu(facts);
      j["gpu_image"] = {{"mode", to_string(g_image.mode)}, {"reason", g_image.reason}};
    }
    if (!a.usable) {
      j["problem"] = a.problem;
      j["fix"] = a.fix;
    }
    out.push_back(j);
  }
  return out;
}

void add_runtimes(CLI::App& app, int& exit_code) {
  auto as_json = std::make_shared<bool>(false);
  CLI::App* cmd = app.add_subcommand("runtimes", "List the container runtimes: usable or why not, and the GPU injection each would use");
  cmd->footer(
      "Usable runtimes can be named with --env in `run` and `ab`: docker[:IMAGE], podman[:IMAGE],\n"
      "apptainer[:IMAGE], oci[:crun|runc]. GPU injection: nvidia-runtime (--gpus all), cdi (--device\n"
      "nvidia.com/gpu=all), apptainer-nv (--nv), devices (/dev/nvidia* plus the host driver libraries), none.");
  cmd->add_flag("--json", *as_json, "Print JSON instead of text");
  cmd->callback([as_json, &exit_code] {
    const launcher::HostFacts facts = launcher::probe_host();
    const nlohmann::json report = runtimes_report(facts);
    exit_code = 0;
    if (*as_json) {
      fmt::print("{}\n", report.dump(2));
      return;
    }
    fmt::print("host: cgroup {}, {} NVIDIA device node(s), {} driver librar{}, CDI spec{}: {}\n\n", facts.cgroup_layout,
               facts.nvidia_devices.size(), facts.driver_libs.size(), facts.driver_libs.size() == 1 ? "y" : "ies",
               facts.cdi_specs.size() == 1 ? "" : "s", facts.cdi_specs.empty() ? "none" : facts.cdi_specs.front());
    for (const auto& r : report) {
      const bool usable = r["usable"];
      fmt::print("{:<10} {:<11} {}\n", r["runtime"].get<std::string>(), usable ? "usable" : "NOT USABLE",
                 usable ? r["version"].get<std::string>() : r["problem"].get<std::string>());
      if (!usable) fmt::print("{:<10} {:<11} {}\n", "", "fix", r["fix"].get<std::string>());
      for (const auto& n : r["notes"]) fmt::print("{:<10} {:<11} {}\n", "", "note", n.get<std::string>());
      const auto gpu_line = [](const nlohmann::json& g) {
        const std::string reason = g["reason"];
        return g["mode"].get<std::string>() + (reason.empty() ? "" : " (" + reason + ")");
      };
      fmt::print("{:<10} {:<11} host-mirror: {}\n", "", "gpu", gpu_line(r["gpu_host_mirror"]));
      if (r.contains("gpu_image")) fmt::print("{:<10} {:<11} with IMAGE: {}\n", "", "", gpu_line(r["gpu_image"]));
    }
  });
}

}  // namespace sb::cli
