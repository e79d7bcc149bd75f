#pragma once
// Internal to src/compare: "what to check next", derived only from what this comparison observed.
#include <vector>

#include "compare/compare.hpp"

namespace sb::compare::detail {

// Needs c.cases (with verdicts after Holm), c.env_differences and c.options filled in. Each finding
// cites numbers from c; a possible cause with nothing observed behind it is not produced.
std::vector<Finding> find_causes(const Comparison& c);

// What to run to turn these inconclusive cases into answers (one or two clauses, for a summary line).
std::string inconclusive_advice(const std::vector<const CaseComparison*>& inconclusive);

}  // namespace sb::compare::detail
