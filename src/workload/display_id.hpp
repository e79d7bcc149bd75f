#pragma once
// Case names as people read them. A case id names every parameter ("matmul/inner=0,n=10000,
// precision=fp32") because it pairs cases across records and must never change; shown in progress
// lines and reports, a tuning parameter (how to measure, not what) left at its single default only
// repeats what `sparkbench list WORKLOAD` says, so it is left out there ("matmul/n=10000,
// precision=fp32"). What is measured (a size, a precision) always stays, default or not.
#include <string>
#include <string_view>

#include "workload/workload.hpp"

namespace sb {

// "<workload>/<params>" without the tuning parameters whose value is their one default value;
// "<workload>" when none is left.
// A workload this process does not know (an old record, an undefined command) shows the full id.
std::string display_id(std::string_view workload_name, const Params& params);
std::string display_id(const Workload& w, const Params& params);

}  // namespace sb
