#pragma once
// When `ab` has run enough rounds: sequential stopping on the width of the overhead's confidence
// interval, never on a p-value (docs/methodology.md says why). The same rule drives `ab` and the
// simulation test of its error rates.
#include <optional>
#include <string>
#include <vector>

#include "compare/compare.hpp"

namespace sb::compare {

struct StoppingRule {
  double precision_pct = 2;  // stop once every compared case's 95% CI half-width is at most this
  int min_rounds = 4;        // never stop before this many rounds per side
  int max_rounds = 10;       // never run more
  // Fixed design (`ab --rounds N`): exactly min_rounds = max_rounds rounds, whatever the width.
  bool fixed = false;
};

struct CaseWidth {
  std::string name;  // the case's name for people
  double half_width_pct = 0;  // of the primary metric's overhead CI; infinite while the unit is not the round
  std::optional<int> rounds_needed;  // per side, to reach the precision at the spread seen
};

struct StoppingCheck {
  bool stop = false;
  std::string reason;              // set when stop: what ended the rounds, for the report
  std::vector<CaseWidth> widths;   // every compared case, widest first
};

// After `rounds` rounds per side (comparison = the records so far). Cases that cannot be compared
// (failed, unavailable) do not hold the rounds up.
StoppingCheck check_stopping(const StoppingRule& rule, int rounds, const Comparison& comparison);

}  // namespace sb::compare
