#pragma once
// How a plan's cases are measured: the built-in defaults, overridden by the config's `defaults:`,
// the suite's `settings:` and the command line, in that order (plan/resolve).
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "config/config.hpp"

namespace sb::plan {

struct Settings {
  int warmup = 2;            // repetitions run and discarded before measuring
  int min_reps = 5;          // never stop before this many measured repetitions
  int max_reps = 30;         // stop here even if the CI target is not met
  double max_time_s = 60;    // per case, measured repetitions; stops once >= 2 repetitions exist
  double ci_target = 0.01;   // (config key ci_target_pct, in percent) stop when the 95% CI half-width of the primary metric is below this fraction of the mean
  int telemetry_interval_ms = 100;  // 0 disables GPU telemetry
  std::uint64_t seed = 42;
  // The canary (canary/) before the first case and after the last, into the record's `canary`:
  // whether the machine itself was as fast at the end as at the start. On for every round of `ab`.
  bool canary = false;
};
// The record's `settings` and the plan file's, under the config's names (ci_target_pct in percent).
nlohmann::json to_json(const Settings& s);

// Applies one layer of overrides onto `s`; throws sb::Error naming `where` when the result does not
// fit together (min_reps above max_reps, ...).
void apply(Settings& s, const config::SettingsOverrides& overrides, const std::string& where);

}  // namespace sb::plan
