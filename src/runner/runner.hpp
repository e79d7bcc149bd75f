#pragma once
// The runner owns the measurement loop of every case: build the case, warm up, repeat until the
// primary metric's 95% CI is narrow enough (or a repetition/time cap), sample GPU telemetry
// alongside, and checkpoint the run record after every case so an interruption loses nothing
// that finished.
#include <functional>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "record/record.hpp"
#include "runner/progress_line.hpp"

namespace sb::runner {

struct RunOptions {
  config::Settings settings;
  bool progress = false;  // live progress line on stderr (a terminal); otherwise one line per case
};

// Runs `plan` into `record` (whose metadata the caller filled). After every case, `checkpoint`
// is called with the record so far (the CLI writes it atomically). Returns when all cases ran or
// a SIGINT/SIGTERM came (core/interrupt.hpp; record.interrupted set): the runner looks between
// repetitions, and keeps the case it cut, marked partial.
void run(const std::vector<config::PlannedCase>& plan, const RunOptions& options, record::RunRecord& record,
         const std::function<void(const record::RunRecord&)>& checkpoint);

// One case, exposed for tests.
record::CaseResult run_case(const config::PlannedCase& c, const RunOptions& options,
                            const std::function<void(const ProgressStatus&)>& progress_line);

}  // namespace sb::runner
