#pragma once
// What `run` and `ab` were asked to run, made into a plan: a suite of the config, one workload's
// grid, or a plan file; settings from the built-in defaults < the config's `defaults:` < the suite's
// `settings:` < the command line (a plan file's settings replace the first three).
#include <functional>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "plan/plan.hpp"

namespace sb::plan {

struct Request {
  std::string suite;        // default "sanity" when neither workload nor plan_file is given
  std::string workload;     // one workload's grid instead of a suite
  std::vector<std::string> params;  // with workload: "name=value" or "name=v1,v2" (a grid), as given
  std::string config;       // the config file; default config::default_config_path()
  std::string plan_file;    // a plan file instead of suite or workload
  config::SettingsOverrides command_line;
  bool allow_unavailable = false;  // GPU cases without a usable GPU are run (and recorded unavailable)
};

// Throws sb::Error for bad input (conflicting choices, unknown names, values out of range), and for
// GPU cases on a machine without a usable GPU unless allow_unavailable. `notice` is told what a
// person should know about the plan (a suite's GPU cases left out here).
Plan resolve(const Request& request, const std::function<void(const std::string&)>& notice);

}  // namespace sb::plan
