// Are we in a container, and which runtime made it? Each hint is kept as evidence so that a
// reader of the snapshot can judge a wrong guess.
#include <unistd.h>

#include <algorithm>
#include <array>
#include <filesystem>

#include <fmt/format.h>

#include "env/readers.hpp"

namespace sb::env {
namespace {

// Substrings of a cgroup path that name the runtime which created it.
constexpr std::array<std::pair<const char*, const char*>, 6> kCgroupHints{{
    {"libpod", "podman"},
    {"docker", "docker"},
    {"kubepods", "kubernetes"},
    {"cri-containerd", "containerd"},
    {"crio", "cri-o"},
    {"lxc", "lxc"},
}};

// Set inside an Apptainer/Singularity container only (APPTAINER_CACHEDIR and friends may also be
// set on a host, so a bare prefix match would see containers everywhere).
constexpr std::array<std::pair<const char*, const char*>, 4> kApptainerVars{{
    {"APPTAINER_CONTAINER", "apptainer"},
    {"APPTAINER_NAME", "apptainer"},
    {"SINGULARITY_CONTAINER", "singularity"},
    {"SINGULARITY_NAME", "singularity"},
}};

std::optional<std::string> env_value(const ContainerInputs& in, const std::string& name) {
  const auto it = in.env.find(name);
  if (it == in.env.end() || it->second.empty()) return std::nullopt;
  return it->second;
}

}  // namespace

nlohmann::json detect_container(const ContainerInputs& in) {
  std::vector<std::string> evidence;
  std::optional<std::string> runtime;
  std::string source;
  auto guess = [&](const std::string& r, const std::string& why) {
    if (!runtime) {
      runtime = r;
      source = why;
    }
  };

  const auto launcher = env_value(in, "SPARKBENCH_LAUNCHER");
  if (launcher && *launcher != "native") {
    evidence.push_back(fmt::format("env SPARKBENCH_LAUNCHER={}", *launcher));
    guess(*launcher, "SPARKBENCH_LAUNCHER");
  }
  for (const auto& [var, name] : kApptainerVars) {
    if (const auto v = env_value(in, var)) {
      evidence.push_back(fmt::format("env {}={}", var, *v));
      guess(std::string(in.env.contains("APPTAINER_CONTAINER") ? "apptainer" : name), var);
    }
  }
  if (in.containerenv) {
    // podman writes engine="podman-4.9.3" into it; apptainer --oci / other OCI tools may not.
    const auto values = parse_key_value_lines(in.containerenv_text);
    const auto engine = values.find("engine");
    evidence.push_back(engine == values.end()
                           ? "/run/.containerenv exists"
                           : fmt::format("/run/.containerenv exists (engine={})", engine->second));
    guess(engine == values.end() ? "podman" : engine->second.substr(0, engine->second.find('-')),
          "/run/.containerenv");
  }
  if (const auto c = env_value(in, "container")) {
    evidence.push_back(fmt::format("env container={}", *c));
    guess(*c, "env container");
  }
  if (in.dockerenv) {
    evidence.push_back("/.dockerenv exists");
    guess("docker", "/.dockerenv");
  }
  for (const std::string& path : in.cgroup_paths) {
    for (const auto& [hint, name] : kCgroupHints) {
      if (path.find(hint) == std::string::npos) continue;
      // cgroup v1 lists the same path once per controller: one line of evidence is enough.
      const std::string line = fmt::format("cgroup path {} mentions {}", path, hint);
      if (std::find(evidence.begin(), evidence.end(), line) == evidence.end()) evidence.push_back(line);
      guess(name, "cgroup path");
      break;
    }
  }

  nlohmann::json j = {{"detected", !evidence.empty()},
                      {"runtime", or_null(runtime)},
                      {"runtime_source", runtime ? nlohmann::json(source) : nlohmann::json(nullptr)},
                      {"evidence", evidence}};
  if (in.containerenv) {
    const auto values = parse_key_value_lines(in.containerenv_text);
    if (const auto image = values.find("image"); image != values.end()) j["image"] = image->second;
  }
  return j;
}

nlohmann::json capture_container() {
  ContainerInputs in;
  std::error_code ec;
  in.dockerenv = std::filesystem::exists("/.dockerenv", ec);
  in.containerenv = std::filesystem::exists("/run/.containerenv", ec);
  if (in.containerenv) in.containerenv_text = read_file("/run/.containerenv").value_or("");
  for (const CgroupLine& l : parse_proc_cgroup(read_file("/proc/self/cgroup").value_or("")))
    in.cgroup_paths.push_back(l.path);
  in.env = process_environment();
  return detect_container(in);
}

}  // namespace sb::env
