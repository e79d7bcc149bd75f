#pragma once
// A plan: the cases to run (workload × parameter grid) and the settings to measure them with, and
// where they came from. The runner runs one; the launchers carry one into a container (plan_file).
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/config.hpp"
#include "plan/settings.hpp"
#include "workload/workload.hpp"

namespace sb::plan {

// One planned case: a workload and its resolved parameters.
struct PlannedCase {
  const Workload* workload = nullptr;
  Params params;
  std::string id() const { return workload->name + "/" + params.id(); }
};

struct Plan {
  std::vector<PlannedCase> cases;
  Settings settings;
  nlohmann::json source = nlohmann::json::object();  // {"suite", "config"} or {"workload", "params"}: what was asked for
};

// The cartesian product of the given axes, with every parameter the axes do not name taken from
// the workload's default axis. Values are validated (sb::Error names workload, parameter, valid values).
std::vector<PlannedCase> expand(const Workload& w, const config::Axes& axes);

// A suite's cases on this machine (entries whose `when` does not hold are skipped).
std::vector<PlannedCase> suite_cases(const config::Suite& s, bool gpu_present);

// The record's `plan`, and the plan file's: a case of a workload defined in a config carries its
// definition, so that the plan alone can be run elsewhere (a container has no access to the config).
nlohmann::json cases_to_json(const std::vector<PlannedCase>& cases);
// Rebuilds the cases from that form (defining the commands they carry); values are validated again.
std::vector<PlannedCase> cases_from_json(const nlohmann::json& j);

}  // namespace sb::plan
