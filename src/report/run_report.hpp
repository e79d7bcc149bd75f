#pragma once
// The report of a single run (`sparkbench report RECORD`): what was measured, how stable it was,
// what the GPU did meanwhile. Comparisons of two runs are report.hpp's job.
#include <string>

#include "record/record.hpp"

namespace sb::report {

std::string run_markdown(const record::RunRecord& r);

}  // namespace sb::report
