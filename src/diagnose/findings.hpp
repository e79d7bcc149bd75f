#pragma once
// "What to check next": the likely causes of what one comparison observed, derived only from it
// (verdicts, environment differences, telemetry). Reads a compare::Comparison; `doctor` prints the
// findings, the report shows them.
#include <string>
#include <vector>

#include "compare/compare.hpp"

namespace sb::diagnose {

// An observation that explains or qualifies the result, with its evidence and what to do.
struct Finding {
  int rank = 0;  // 1 = most likely cause
  std::string title;     // "CPU quota in the candidate"
  std::string evidence;  // "cgroup cpu quota 0.5 CPUs; the cpu-compute cases are 2.0x slower"
  std::string action;    // "run the container with --cpus equal to the host's CPU count"
};

// Ranked, most likely first. Each finding cites numbers from c; a possible cause with nothing
// observed behind it is not produced.
std::vector<Finding> find_causes(const compare::Comparison& c);

}  // namespace sb::diagnose
