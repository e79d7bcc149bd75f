#include "plan/settings.hpp"

#include <fmt/format.h>

#include "core/error.hpp"

namespace sb::plan {

nlohmann::json to_json(const Settings& s) {
  return {{"warmup", s.warmup},         {"min_reps", s.min_reps},     {"max_reps", s.max_reps},
          {"max_time_s", s.max_time_s}, {"ci_target_pct", 100 * s.ci_target},   {"telemetry_interval_ms", s.telemetry_interval_ms},
          {"seed", s.seed},             {"canary", s.canary}};
}

void apply(Settings& s, const config::SettingsOverrides& o, const std::string& where) {
  if (o.warmup) s.warmup = *o.warmup;
  if (o.min_reps) s.min_reps = *o.min_reps;
  if (o.max_reps) s.max_reps = *o.max_reps;
  if (o.max_time_s) s.max_time_s = *o.max_time_s;
  if (o.ci_target_pct) s.ci_target = *o.ci_target_pct / 100;
  if (o.telemetry_interval_ms) s.telemetry_interval_ms = *o.telemetry_interval_ms;
  if (o.seed) s.seed = *o.seed;
  if (o.canary) s.canary = *o.canary;
  if (s.warmup < 0 || s.min_reps < 2 || s.max_reps < s.min_reps || s.max_time_s <= 0 || s.ci_target <= 0 ||
      s.telemetry_interval_ms < 0)
    throw Error(fmt::format("{}: inconsistent settings (warmup {}, min_reps {}, max_reps {}, max_time_s {}, "
                            "ci_target_pct {}, telemetry_interval_ms {})",
                            where, s.warmup, s.min_reps, s.max_reps, s.max_time_s, 100 * s.ci_target,
                            s.telemetry_interval_ms),
                "need warmup >= 0, 2 <= min_reps <= max_reps, max_time_s > 0, ci_target_pct > 0, interval >= 0");
}

}  // namespace sb::plan
