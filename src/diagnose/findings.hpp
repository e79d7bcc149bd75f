#pragma once
// "What to check next": the likely causes of what one comparison observed, derived only from it
// (verdicts, failed cases, environment differences, telemetry). Reads a compare::Comparison; `doctor`
// prints the findings and their attribution line, the report shows them. docs/diagnosis.md lists
// every finding, the evidence it cites and how the findings are ranked.
#include <string>
#include <vector>

#include "compare/compare.hpp"

namespace sb::diagnose {

// Which part of a gap a cause explains, for the attribution line ("3 explained by resource limits").
enum class Category {
  MachineState,  // the machine's state while it ran: throttling, clocks, GPU settings (and the canary)
  Stack,         // the software: libraries, driver, kernel coverage, engine settings
  Limits,        // resource limits: CPU quota, cpuset, thread counts, memory, /dev/shm
  Isolation,     // the container's isolation itself: a seccomp filter, an AppArmor/SELinux profile
  Unexplained,   // an observation that explains no case (verdicts, failures, symptoms, notes)
};
std::string to_string(Category c);  // "machine state", "stack", "resource limits", "isolation", "unexplained"

// An observation that explains or qualifies the result, with its evidence and what to do.
struct Finding {
  int rank = 0;  // 1 = most likely cause; 0 = an unranked note ("also differs"), listed after the ranked ones
  std::string title;     // "CPU quota in the candidate"
  std::string evidence;  // "cgroup cpu quota 0.5 CPUs; the cpu-compute cases are 2.0x slower"
  std::string action;    // "run the container with --cpus equal to the host's CPU count"
  Category category = Category::Unexplained;
  // The ids of the cases worse in the candidate (slower, or failed there only) that this cause
  // explains: only cases in the layers it can affect. Empty for observations and notes.
  std::vector<std::string> cites = {};
};

// Ranked, most likely first, then the unranked notes. Each finding cites numbers from c; a
// possible cause with nothing observed behind it is not produced, and a difference with no worse
// case in the layers it can affect is only a note.
std::vector<Finding> find_causes(const compare::Comparison& c);

// One line: how the cases worse in the candidate split between the causes' categories, each case
// counted once, under the highest-ranked finding that cites it ("of 5 slower or failed cases: 3
// explained by resource limits (Less CPU in the candidate), 2 unexplained"). Empty when no case is
// worse in the candidate.
std::string attribution(const compare::Comparison& c, const std::vector<Finding>& findings);

}  // namespace sb::diagnose
