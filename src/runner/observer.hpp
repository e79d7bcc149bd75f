#pragma once
// What the runner tells whoever shows a run's progress (the CLI's console, a test's recorder): the
// runner itself prints nothing.
#include <cstddef>

#include "plan/plan.hpp"
#include "record/record.hpp"
#include "runner/progress_line.hpp"

namespace sb::runner {

// A case of the plan being run: the subject of each event.
struct CaseInPlan {
  const plan::PlannedCase& planned;
  std::size_t index = 0;  // 0-based
  std::size_t total = 0;  // cases in the plan
};

class Observer {
 public:
  virtual ~Observer() = default;
  virtual void case_started(const CaseInPlan&) {}
  // After each warm-up and each measured repetition.
  virtual void case_progress(const CaseInPlan&, const ProgressStatus&) {}
  // Before the record's checkpoint of it; also a case that failed, was unavailable or was cut.
  virtual void case_finished(const CaseInPlan&, const record::CaseResult&) {}
};

}  // namespace sb::runner
