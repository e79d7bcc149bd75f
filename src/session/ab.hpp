#pragma once
// `ab`: the same plan in two environments, interleaved A B A B ... so that drift (thermal state,
// background load) falls on both sides, round after round until the stopping rule (CI widths,
// never p; compare/stopping) or the time limit ends them. The comparison itself is the caller's.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "compare/compare.hpp"
#include "compare/stopping.hpp"
#include "launcher/environment_spec.hpp"
#include "plan/plan.hpp"
#include "record/record.hpp"
#include "session/observer.hpp"

namespace sb::session {

struct AbRequest {
  const plan::Plan& plan;
  launcher::EnvSpec env_a, env_b;  // A is the baseline
  std::string label_a, label_b;
  launcher::ContainerOptions options;  // for every container environment
  compare::StoppingRule rule;
  std::optional<double> max_total_time_s;  // start no round that would end past it
  compare::Options compare;                // how the rounds so far are compared for the rule
  std::filesystem::path out;               // each run's record lands in out/<label>/
  // --drop-caches: this control file (session/drop_caches) written before each run of each round,
  // checked before anything runs; each record's launch says `caches_dropped`.
  std::optional<std::filesystem::path> drop_caches;
};

struct AbOutcome {
  std::vector<record::RunRecord> baseline, candidate;  // A's and B's records of this ab, in round order
  std::vector<std::filesystem::path> records_a, records_b;
  std::string stopping;        // why the rounds ended, for the report
  bool failed_case = false;    // a run exited 1 (a case failed)
  std::optional<int> interrupted;  // set when a signal ended the rounds (130/143, or the run's): no comparison
};

// Both environments are checked and prepared before anything is measured (sb::Error, exit 1, when
// one cannot run; exit 2 when the caches are to be dropped and cannot be). After a SIGINT/SIGTERM no further run starts. A run that fails throws sb::Error,
// after `observer.records_kept`.
AbOutcome run_ab(const AbRequest& request, Observer& observer);

}  // namespace sb::session
