#include "cli/plan_options.hpp"

#include <cctype>
#include <climits>
#include <filesystem>
#include <fstream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "core/error.hpp"
#include "core/gpu_presence.hpp"

namespace sb::cli {
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

ResolvedPlan read_plan_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw Error(fmt::format("cannot read the plan file {}", path), "give the plan.json a launcher wrote");
  const nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
  if (j.is_discarded() || !j.is_object() || j.value("schema", "") != "sparkbench.plan" || !j.contains("plan"))
    throw Error(fmt::format("{} is not a sparkbench plan file", path), "give the plan.json a launcher wrote");
  ResolvedPlan p;
  p.cases = config::plan_from_json(j.at("plan"));
  config::apply_overrides(p.settings, j.value("settings", nlohmann::json::object()), path);
  p.source = j.value("source", nlohmann::json::object());
  return p;
}

}  // namespace

void check_label(const std::string& label) {
  bool safe = !label.empty() && label != "." && label != "..";
  for (char c : label)
    safe = safe && (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.');
  if (!safe)
    throw Error(fmt::format("label '{}' is not usable as a directory name", label),
                "use letters, digits, '-', '_' or '.', e.g. --label native or --label docker-ngc");
  // The label is one file-name component (<out>/<label>/): longer than NAME_MAX, no directory of
  // that name can be created, whatever --out is.
  if (label.size() > NAME_MAX)
    throw Error(fmt::format("label '{}...' is too long: {} bytes, a directory name holds at most {}",
                            label.substr(0, 20), label.size(), NAME_MAX),
                fmt::format("give a label of at most {} characters", NAME_MAX));
}

std::string label_or_default(const std::optional<std::string>& given, const std::string& option,
                             const launcher::EnvSpec& spec) {
  if (!given) return spec.default_label();
  if (given->empty())
    throw Error(fmt::format("{} was given an empty name", option),
                fmt::format("give a name (letters, digits, '-', '_' or '.'), e.g. {} native, or leave {} out for the "
                            "environment's default ('{}')",
                            option, option, spec.default_label()));
  return *given;
}

void add_plan_options(CLI::App* cmd, PlanArgs& a, bool plan_file) {
  cmd->add_option("--suite", a.suite, "Named suite from the config (default: sanity); see `sparkbench list --suites`");
  cmd->add_option("--workload,-w", a.workload, "Run one workload instead of a suite; see `sparkbench list`");
  cmd->add_option("--param,-p", a.params, "name=value or name=v1,v2 (a grid); with --workload; repeatable");
  cmd->add_option("--config", a.config, "Config file (default: $SPARKBENCH_CONFIG or benchmarks/config.yaml)");
  if (plan_file)
    cmd->add_option("--plan-file", a.plan_file,
                    "Run the cases and settings of a plan file (written by the launchers of --env and `ab`) "
                    "instead of --suite/--workload");
  cmd->add_option("--reps", a.reps, "Maximum measured repetitions per case (default from config: 30)");
  cmd->add_option("--min-reps", a.min_reps, "Minimum measured repetitions per case (default 5, at least 2)");
  cmd->add_option("--warmup", a.warmup, "Warm-up repetitions per case, discarded (default 2)");
  cmd->add_option("--max-time", a.max_time, "Time cap per case in seconds (default 60)");
  cmd->add_option("--ci-target", a.ci_target, "Stop when the 95% CI half-width is below this % of the mean (default 1)");
  cmd->add_option("--telemetry-interval", a.telemetry_ms, "GPU telemetry sampling interval in ms; 0 disables (default 100)");
  cmd->add_option("--seed", a.seed, "Seed of every input generator (default 42)");
  cmd->add_flag("--allow-unavailable", a.allow_unavailable,
                "Record GPU cases as unavailable instead of refusing to start when no GPU is present");
}

ResolvedPlan resolve_plan(const PlanArgs& a) {
  if (!a.plan_file.empty() && (!a.suite.empty() || !a.workload.empty() || !a.params.empty()))
    throw Error("--plan-file was given with --suite, --workload or --param", "a plan file already names its cases; give only one");
  if (!a.suite.empty() && !a.workload.empty())
    throw Error("--suite and --workload were both given", "choose one: a named suite, or one workload with --param");
  if (!a.params.empty() && a.workload.empty())
    throw Error("--param needs --workload", "e.g. sparkbench run --workload matmul --param n=4096");

  const GpuPresence& gpu = gpu_presence();
  ResolvedPlan p;
  if (!a.plan_file.empty()) {
    p = read_plan_file(a.plan_file);
  } else {
    std::optional<config::Config> cfg;
    const std::string config_path = a.config.empty() ? config::default_config_path().string() : a.config;
    if (!a.config.empty() || a.workload.empty()) cfg = config::load(config_path);
    else if (std::filesystem::exists(config_path)) cfg = config::load(config_path);
    if (cfg) p.settings = cfg->defaults;
    if (!a.workload.empty()) {
      p.cases = config::expand(Registry::instance().get(a.workload), parse_param_args(a.params));
      p.source = {{"workload", a.workload}, {"params", a.params}};
    } else {
      const std::string suite_name = a.suite.empty() ? "sanity" : a.suite;
      const config::Suite& suite = cfg->suite(suite_name);
      config::apply_overrides(p.settings, suite.settings, fmt::format("suite '{}' settings", suite_name));
      p.cases = config::plan_suite(suite, gpu.present);
      p.source = {{"suite", suite_name}, {"config", config_path}};
      if (!gpu.present)
        fmt::print(stderr, "sparkbench: no GPU ({}); running the CPU cases of suite '{}'\n", gpu.reason, suite_name);
      if (p.cases.empty())
        throw Error(fmt::format("suite '{}' has no case that can run on this machine", suite_name),
                    "its cases are all `when: gpu`; run it on a machine with a GPU, or pick another suite "
                    "(`sparkbench list --suites`)");
    }
  }
  nlohmann::json cli_overrides = nlohmann::json::object();
  if (a.reps) cli_overrides["max_reps"] = *a.reps;
  if (a.min_reps) cli_overrides["min_reps"] = *a.min_reps;
  if (a.reps && !a.min_reps && *a.reps < p.settings.min_reps) cli_overrides["min_reps"] = std::max(2, *a.reps);
  if (a.warmup) cli_overrides["warmup"] = *a.warmup;
  if (a.max_time) cli_overrides["max_time_s"] = *a.max_time;
  if (a.ci_target) cli_overrides["ci_target_pct"] = *a.ci_target;
  if (a.telemetry_ms) cli_overrides["telemetry_interval_ms"] = *a.telemetry_ms;
  if (a.seed) cli_overrides["seed"] = static_cast<double>(*a.seed);
  config::apply_overrides(p.settings, cli_overrides, "command line");

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

void add_container_options(CLI::App* cmd, ContainerArgs& a) {
  auto& o = a.options;
  const char* group = "Container options (for --env other than native; all recorded)";
  cmd->add_option("--shm-size", o.shm_size, "Size of /dev/shm, e.g. 8g (default: the runtime's, 64m for docker)")->group(group);
  cmd->add_flag("--ipc-host", o.ipc_host, "Share the host's IPC namespace and /dev/shm (--ipc=host)")->group(group);
  cmd->add_option("--ulimit", a.ulimits, "NAME=SOFT[:HARD], e.g. nofile=1024:1024, memlock=-1; repeatable")->group(group);
  cmd->add_option("--cpus", o.cpus, "CPU quota in CPUs, e.g. 0.5")->group(group);
  cmd->add_option("--cpuset-cpus", o.cpuset_cpus, "CPUs the container may use, e.g. 0-3")->group(group);
  cmd->add_option("--memory", o.memory, "Memory limit, e.g. 16g")->group(group);
  cmd->add_option("--user", o.user, "UID[:GID] inside the container (default: docker runs as you; others as their default)")
      ->group(group);
  cmd->add_option("--network", o.network, "none (default: loopback only) or host")->group(group);
  cmd->add_option("--mount", o.mounts,
                  "Bind-mount a host path: SRC[:DST][:ro], e.g. --mount /data:ro; repeatable (host-mirror already "
                  "mounts the userland, this binary's and the config's folders, and the install prefixes on PATH)")
      ->group(group);
  cmd->add_option("--runtime-arg", o.runtime_args,
                  "An extra argument for the runtime's run command, placed before the image; repeatable; "
                  "write --runtime-arg=--privileged for one that starts with '-'")
      ->group(group);
}

launcher::ContainerOptions container_options(const ContainerArgs& a) {
  launcher::ContainerOptions o = a.options;
  for (const auto& u : a.ulimits) o.ulimits.push_back(launcher::parse_ulimit(u));
  launcher::validate(o);
  return o;
}

}  // namespace sb::cli
