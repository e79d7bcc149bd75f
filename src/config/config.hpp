#pragma once
// benchmarks/config.yaml: run settings and named suites. A suite is a list of entries; each entry
// is a workload with parameter axes (a scalar or a list per parameter) that expand into cases.
//
//   defaults: {warmup: 2, min_reps: 5, max_reps: 30, max_time_s: 60, ci_target_pct: 1}
//   suites:
//     sanity:
//       description: the seed's 10000x10000 matmul
//       cases:
//         - {workload: matmul, params: {n: 10000, precision: [fp32, tf32, fp16, bf16]}, when: gpu}
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "workload/workload.hpp"

namespace sb::config {

struct Settings {
  int warmup = 2;            // repetitions run and discarded before measuring
  int min_reps = 5;          // never stop before this many measured repetitions
  int max_reps = 30;         // stop here even if the CI target is not met
  double max_time_s = 60;    // per case, measured repetitions; stops once >= 2 repetitions exist
  double ci_target = 0.01;   // (config key ci_target_pct, in percent) stop when the 95% CI half-width of the primary metric is below this fraction of the mean
  int telemetry_interval_ms = 100;  // 0 disables GPU telemetry
  std::uint64_t seed = 42;
};
nlohmann::json to_json(const Settings& s);

// Axes of one suite entry: parameter name -> values (one case per combination).
using Axes = std::map<std::string, std::vector<std::string>>;

struct Entry {
  std::string workload;
  Axes params;
  std::string when;  // "" (always), "gpu" (only where a CUDA device is present), "no-gpu"
};

struct Suite {
  std::string name;
  std::string description;
  std::vector<Entry> entries;
  nlohmann::json settings = nlohmann::json::object();  // per-suite overrides of Settings fields
};

struct Config {
  std::filesystem::path file;
  Settings defaults;
  std::vector<Suite> suites;  // in file order
  // The workloads its `commands:` section defined ("command:<name>"; see docs/commands.md).
  std::vector<const Workload*> commands;
  const Suite& suite(const std::string& name) const;  // throws sb::Error listing the valid suites
};

// Throws sb::Error with file, line and column for malformed YAML and for unknown keys, workloads
// or parameters (listing the valid ones). A `commands:` section defines workloads (Registry::define)
// before the suites are read, so suites can name them.
Config load(const std::filesystem::path& file);
Config parse(const std::string& yaml_text, const std::string& source_name);

// Applies {"warmup": 3, ...} overrides onto settings; unknown keys throw sb::Error.
void apply_overrides(Settings& s, const nlohmann::json& overrides, const std::string& where);

// One planned case: a workload and its resolved parameters.
struct PlannedCase {
  const Workload* workload = nullptr;
  Params params;
  std::string id() const { return workload->name + "/" + params.id(); }
};

// The cartesian product of the given axes, with every parameter the axes do not name taken from
// the workload's default axis. Values are validated (sb::Error names workload, parameter, valid values).
std::vector<PlannedCase> expand(const Workload& w, const Axes& axes);

// A suite's cases on this machine (entries whose `when` does not hold are skipped).
std::vector<PlannedCase> plan_suite(const Suite& s, bool gpu_present);

// Where the default config lives: $SPARKBENCH_CONFIG, else <dir of the binary>/../benchmarks/config.yaml
// or ./benchmarks/config.yaml, whichever exists first.
std::filesystem::path default_config_path();

// A case of a workload defined in a config carries its definition, so that the plan alone can be
// run elsewhere (a container has no access to the config file).
nlohmann::json plan_to_json(const std::vector<PlannedCase>& plan);
// Rebuilds a plan from its JSON form (used when a run is re-executed inside a container).
std::vector<PlannedCase> plan_from_json(const nlohmann::json& j);

}  // namespace sb::config
