#pragma once
// The runner owns the measurement loop of every case: build the case, warm up, repeat until the
// primary metric's 95% CI is narrow enough (or a repetition/time cap), sample GPU telemetry
// alongside, and checkpoint the run record after every case so an interruption loses nothing
// that finished.
#include <functional>
#include <string>
#include <vector>

#include "plan/plan.hpp"
#include "record/record.hpp"
#include "runner/observer.hpp"
#include "runner/progress_line.hpp"

namespace sb::runner {

// Runs the plan's cases with its settings into `record` (whose metadata the caller filled),
// telling `observer` about each case. After every case, `checkpoint` is called with the record so
// far (the session writes it atomically). Returns when all cases ran or a SIGINT/SIGTERM came
// (core/interrupt.hpp; record.interrupted set): the runner looks between repetitions, and keeps
// the case it cut, marked partial.
void run(const plan::Plan& plan, record::RunRecord& record, Observer& observer,
         const std::function<void(const record::RunRecord&)>& checkpoint);

// One case, exposed for tests.
record::CaseResult run_case(const plan::PlannedCase& c, const plan::Settings& settings,
                            const std::function<void(const ProgressStatus&)>& progress_line);

}  // namespace sb::runner
