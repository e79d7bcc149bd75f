#pragma once
// `run`: a plan measured in this process into one run record, or in another environment through
// the launcher (the same binary re-executed there on a plan file, its record brought back).
#include <filesystem>
#include <string>
#include <vector>

#include "launcher/environment_spec.hpp"
#include "plan/plan.hpp"
#include "session/observer.hpp"

namespace sb::session {

struct RunHereRequest {
  const plan::Plan& plan;
  std::string label;
  std::filesystem::path out;              // the record goes to out/label/<UTC>_<host>.json
  std::vector<std::string> command_line;  // this process's, for the record
};

struct RunOutcome {
  std::filesystem::path record;  // empty only when a signal came before any record was written
  int exit_code = 0;             // 0 ok, 1 a case failed, 130/143 interrupted by SIGINT/SIGTERM
};

// Writes the record from the start (valid at every moment: rewritten after every case, and marked
// interrupted right after a SIGINT/SIGTERM); captures the environment, runs the plan, with the
// canary before its first case and after its last (not after a signal) when settings.canary. Throws
// sb::Error when the record cannot be written, and (exit 1) when the canary fails, which the record
// keeps in its place.
RunOutcome run_here(const RunHereRequest& request, Observer& observer);

struct RunElsewhereRequest {
  const plan::Plan& plan;
  launcher::EnvSpec env;  // a container
  launcher::ContainerOptions options;
  std::string label;
  std::filesystem::path out;  // the record lands in out/label/
};

// Checks and prepares the environment, then runs the plan there once (launcher::Session). Throws
// sb::Error when the environment cannot be used or the run failed without a normal end.
RunOutcome run_elsewhere(const RunElsewhereRequest& request, Observer& observer);

}  // namespace sb::session
