#include "cli/plan_options.hpp"

#include <cctype>
#include <climits>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "core/error.hpp"
#include "plan/resolve.hpp"

namespace sb::cli {

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

plan::Plan resolve_plan(const PlanArgs& a) {
  plan::Request r{.suite = a.suite,
                  .workload = a.workload,
                  .params = a.params,
                  .config = a.config,
                  .plan_file = a.plan_file,
                  .allow_unavailable = a.allow_unavailable};
  config::SettingsOverrides& o = r.command_line;
  o.max_reps = a.reps;
  o.min_reps = a.min_reps;
  o.warmup = a.warmup;
  o.max_time_s = a.max_time;
  o.ci_target_pct = a.ci_target;
  o.telemetry_interval_ms = a.telemetry_ms;
  o.canary = a.canary;
  // Through a double, as a config and a plan file give it: a container's run gets the same seed.
  if (a.seed) o.seed = static_cast<std::uint64_t>(static_cast<double>(*a.seed));
  return plan::resolve(r, [](const std::string& notice) { fmt::print(stderr, "sparkbench: {}\n", notice); });
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
