#pragma once
// What a session tells whoever shows it (the CLI's console, a test's recorder): the cases of a run
// here (runner::Observer), a run's start and end, an `ab`'s rounds. Nothing in session/ prints.
#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "canary/canary.hpp"
#include "compare/stopping.hpp"
#include "runner/observer.hpp"

namespace sb::session {

struct RunStarted {
  std::size_t cases = 0;
  std::string label;
  std::string environment;       // where it runs (the launcher's description); empty: here, in this process
  std::filesystem::path record;  // here: the record it writes; elsewhere the launcher names it at the end
};

// A run here, after its last case (or the one a signal cut).
struct RunFinished {
  int ok = 0, unavailable = 0, failed = 0;  // of the cases in the record
  std::size_t kept = 0, planned = 0;
  bool interrupted = false;
};

// The canary of a run here (settings.canary): before its first case, or after its last.
struct CanaryMeasured {
  std::string when;  // "start" or "end", its key in the record's `canary`
  const canary::Result& result;
};

enum class Side { A, B };

struct AbStarted {
  std::size_t cases = 0;
  const compare::StoppingRule& rule;
  std::string label_a, environment_a, label_b, environment_b;
};

struct RoundStarted {
  int round = 0;  // from 1
  const compare::StoppingRule& rule;
  Side side = Side::A;
  std::string label, environment;
};

// After both sides of a round: the stopping rule's look at the records so far.
struct RoundFinished {
  int round = 0;
  const compare::StoppingRule& rule;
  const compare::StoppingCheck& check;
};

// The rounds ended (the rule, --rounds, or the time limit): the comparison comes next.
struct AbFinished {
  std::string stopping;  // why the rounds ended
  std::string label_a, label_b;
  std::filesystem::path out;  // the records are in out/<label>/
};

class Observer : public runner::Observer {
 public:
  virtual void run_started(const RunStarted&) {}
  virtual void run_finished(const RunFinished&) {}
  virtual void canary_measured(const CanaryMeasured&) {}
  virtual void ab_started(const AbStarted&) {}
  virtual void round_started(const RoundStarted&) {}
  virtual void round_finished(const RoundFinished&) {}
  // An `ab` that ends without its comparison (a signal, a run that failed): what it wrote so far.
  virtual void records_kept(const std::vector<std::filesystem::path>& /*a*/,
                            const std::vector<std::filesystem::path>& /*b*/) {}
  virtual void ab_interrupted(int /*round*/) {}
  virtual void ab_finished(const AbFinished&) {}
};

}  // namespace sb::session
