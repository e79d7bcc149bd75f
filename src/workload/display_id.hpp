#pragma once
// Case names as people read them. A case id names every parameter ("matmul/inner=0,n=10000,
// precision=fp32") because it pairs cases across records and must never change; shown in progress
// lines and reports, the parameters left at a single-valued default only repeat what `sparkbench
// list WORKLOAD` says, so they are left out there ("matmul/precision=fp32").
#include <string>
#include <string_view>

#include "workload/workload.hpp"

namespace sb {

// "<workload>/<params>" without the parameters whose value is their workload's one default value
// (a multi-valued default axis such as matmul's precision stays); "<workload>" when none is left.
// A workload this process does not know (an old record, an undefined command) shows the full id.
std::string display_id(std::string_view workload_name, const Params& params);
std::string display_id(const Workload& w, const Params& params);

}  // namespace sb
