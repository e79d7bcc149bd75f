#pragma once
// The options `run` and `ab` share: what to run (a suite or one workload's grid, or a plan file
// written by a launcher) and the measurement settings, made into a plan by plan/resolve; the
// container options of `--env`.
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "launcher/environment_spec.hpp"
#include "plan/plan.hpp"

namespace CLI {
class App;
}

namespace sb::cli {

struct PlanArgs {
  std::string suite, workload, config, plan_file;
  std::vector<std::string> params;
  std::optional<int> reps, min_reps, warmup, telemetry_ms;
  std::optional<double> max_time, ci_target;
  std::optional<std::uint64_t> seed;
  std::optional<bool> canary;  // `run --canary`, `ab` unless --no-canary; not an option of add_plan_options
  bool allow_unavailable = false;
};

// plan_file: whether to offer --plan-file (run only; it is how a launcher re-executes a plan).
void add_plan_options(CLI::App* cmd, PlanArgs& a, bool plan_file);

// The plan these arguments ask for (plan::resolve), its notices printed on stderr. Throws sb::Error
// for bad input, and for GPU cases on a machine without a usable GPU unless --allow-unavailable.
plan::Plan resolve_plan(const PlanArgs& a);

struct ContainerArgs {
  launcher::ContainerOptions options;
  std::vector<std::string> ulimits;
};
void add_container_options(CLI::App* cmd, ContainerArgs& a);
launcher::ContainerOptions container_options(const ContainerArgs& a);  // parses and validates

// Throws sb::Error when the label cannot be a results directory's name: characters other than
// letters, digits, '-', '_' and '.', or longer than a file-name component may be (NAME_MAX).
void check_label(const std::string& label);
// The label given with `option`, else the environment's default; throws sb::Error when it was
// given empty (`--label ''` is a mistake, not a request for the default).
std::string label_or_default(const std::optional<std::string>& given, const std::string& option,
                             const launcher::EnvSpec& spec);

}  // namespace sb::cli
