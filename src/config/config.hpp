#pragma once
// benchmarks/config.yaml read into typed data: run settings and named suites; plan/ makes cases of them. A suite is a list of entries; each entry
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

#include "workload/workload.hpp"

namespace sb::config {

// Settings as a config writes them (`defaults:`, a suite's `settings:`): only those given.
// plan/ resolves them over the built-in defaults and checks that they fit together.
struct SettingsOverrides {
  std::optional<int> warmup, min_reps, max_reps, telemetry_interval_ms;
  std::optional<double> max_time_s, ci_target_pct;
  std::optional<std::uint64_t> seed;
  std::optional<bool> canary;
};

// Sets the setting named `key` (warmup, min_reps, max_reps, max_time_s, ci_target_pct,
// telemetry_interval_ms, seed, canary: 0 off, else on); another name throws sb::Error naming
// `where` and the valid ones.
void set_setting(SettingsOverrides& o, const std::string& key, double value, const std::string& where);

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
  SettingsOverrides settings;  // over the config's defaults
};

struct Config {
  std::filesystem::path file;
  SettingsOverrides defaults;
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

// Where the default config lives: $SPARKBENCH_CONFIG, else <dir of the binary>/../benchmarks/config.yaml
// or ./benchmarks/config.yaml, whichever exists first.
std::filesystem::path default_config_path();

}  // namespace sb::config
