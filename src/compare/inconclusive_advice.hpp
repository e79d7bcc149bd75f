#pragma once
// What to run to turn inconclusive cases into answers: for the comparison's summary line and for
// diagnose's finding about them.
#include <string>
#include <vector>

#include "compare/compare.hpp"

namespace sb::compare {

// One or two clauses: `ab` where a side ran in one process, the rounds that would resolve the rest
// at the spread seen, or that they lie too near the threshold to resolve.
std::string inconclusive_advice(const std::vector<const CaseComparison*>& inconclusive);

}  // namespace sb::compare
