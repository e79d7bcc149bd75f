#include "plan/resolve.hpp"

#include <algorithm>
#include <filesystem>
#include <optional>

#include <fmt/format.h>

#include "core/error.hpp"
#include "core/gpu_presence.hpp"
#include "plan/plan_file.hpp"

namespace sb::plan {
namespace {

config::Axes parse_param_args(const std::vector<std::string>& args) {
  config::Axes axes;
  for (const auto& a : args) {
    const auto eq = a.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == a.size())
      throw Error(fmt::format("--param '{}' is not of the form name=value", a),
                  "write e.g. --param n=4096 or --param precision=fp16,bf16 (a comma list makes a grid)");
    std::vector<std::string> values;
    std::string rest = a.substr(eq + 1);
    for (std::size_t start = 0;;) {
      const auto comma = rest.find(',', start);
      values.push_back(rest.substr(start, comma - start));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    axes[a.substr(0, eq)] = values;
  }
  return axes;
}

}  // namespace

Plan resolve(const Request& a, const std::function<void(const std::string&)>& notice) {
  if (!a.plan_file.empty() && (!a.suite.empty() || !a.workload.empty() || !a.params.empty()))
    throw Error("--plan-file was given with --suite, --workload or --param", "a plan file already names its cases; give only one");
  if (!a.suite.empty() && !a.workload.empty())
    throw Error("--suite and --workload were both given", "choose one: a named suite, or one workload with --param");
  if (!a.params.empty() && a.workload.empty())
    throw Error("--param needs --workload", "e.g. sparkbench run --workload matmul --param n=4096");

  const GpuPresence& gpu = gpu_presence();
  Plan p;
  if (!a.plan_file.empty()) {
    p = read_plan_file(a.plan_file);
  } else {
    std::optional<config::Config> cfg;
    const std::string config_path = a.config.empty() ? config::default_config_path().string() : a.config;
    if (!a.config.empty() || a.workload.empty()) cfg = config::load(config_path);
    else if (std::filesystem::exists(config_path)) cfg = config::load(config_path);
    if (cfg) apply(p.settings, cfg->defaults, cfg->file.string());
    if (!a.workload.empty()) {
      p.cases = expand(Registry::instance().get(a.workload), parse_param_args(a.params));
      p.source = {{"workload", a.workload}, {"params", a.params}};
    } else {
      const std::string suite_name = a.suite.empty() ? "sanity" : a.suite;
      const config::Suite& suite = cfg->suite(suite_name);
      apply(p.settings, suite.settings, fmt::format("suite '{}' settings", suite_name));
      p.cases = suite_cases(suite, gpu.present);
      p.source = {{"suite", suite_name}, {"config", config_path}};
      if (!gpu.present) notice(fmt::format("no GPU ({}); running the CPU cases of suite '{}'", gpu.reason, suite_name));
      if (p.cases.empty())
        throw Error(fmt::format("suite '{}' has no case that can run on this machine", suite_name),
                    "its cases are all `when: gpu`; run it on a machine with a GPU, or pick another suite "
                    "(`sparkbench list --suites`)");
    }
  }
  config::SettingsOverrides command_line = a.command_line;
  // --reps below the minimum lowers the minimum with it, unless --min-reps says otherwise.
  if (command_line.max_reps && !command_line.min_reps && *command_line.max_reps < p.settings.min_reps)
    command_line.min_reps = std::max(2, *command_line.max_reps);
  apply(p.settings, command_line, "command line");

  if (!gpu.present && !a.allow_unavailable) {
    std::vector<std::string> gpu_cases;
    for (const auto& c : p.cases)
      if (c.workload->device == Device::Gpu) gpu_cases.push_back(c.id());
    if (!gpu_cases.empty())
      throw Error(fmt::format("{} GPU case(s) requested ({}{}) but no GPU can be used here: {}", gpu_cases.size(),
                              gpu_cases.front(), gpu_cases.size() > 1 ? ", ..." : "", gpu.reason),
                  "run on a machine with an NVIDIA GPU and driver (check `nvidia-smi`), use a CPU workload "
                  "(e.g. matmul_cpu; see `sparkbench list`), or pass --allow-unavailable to record them as unavailable");
  }
  return p;
}

}  // namespace sb::plan
