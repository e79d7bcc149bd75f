#pragma once
// The report of a single run (`sparkbench report RECORD`): what was measured, how stable it was,
// what the GPU did meanwhile. Comparisons of two runs are report.hpp's job.
#include <optional>
#include <string>

#include "record/record.hpp"

namespace sb::report {

std::string run_markdown(const record::RunRecord& r);

// Its parts, for tests. The record's settings as "ci target 1%, min reps 5, ..., seed 42" (the
// plan's source left out); unknown keys are shown as "key value".
std::string settings_text(const nlohmann::json& settings);
// The plan's source: "suite `quick` of benchmarks/config.yaml", "workload `matmul` --param n=64".
std::string source_text(const nlohmann::json& source);
// The first warm-up repetition's primary metric over the measured median: the case's cold start
// (above 1 for a time, below 1 for a rate, when the first repetition was slower). Absent without
// warm-up values (older records, warmup 0) or measured repetitions.
std::optional<double> cold_start_ratio(const record::CaseResult& c);
// "finished <UTC>", or why the run has no finish time: interrupted, or the process ended first.
std::string finished_text(const record::RunRecord& r);

}  // namespace sb::report
