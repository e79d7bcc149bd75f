#include "compare/stopping.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "compare/metric.hpp"

namespace sb::compare {

StoppingCheck check_stopping(const StoppingRule& rule, int rounds, const Comparison& comparison) {
  StoppingCheck check;
  for (const auto& cc : comparison.cases) {
    if (!cc.not_comparable.empty()) continue;
    const auto& m = cc.primary;
    const bool round_level = m.unit == TestUnit::Round;
    check.widths.push_back({cc.name, round_level ? m.ci_half_width_pct() : std::numeric_limits<double>::infinity(),
                            detail::rounds_for_precision(m, rule.precision_pct)});
  }
  std::stable_sort(check.widths.begin(), check.widths.end(),
                   [](const CaseWidth& a, const CaseWidth& b) { return a.half_width_pct > b.half_width_pct; });
  const bool precise = std::all_of(check.widths.begin(), check.widths.end(),
                                   [&](const CaseWidth& w) { return w.half_width_pct <= rule.precision_pct; });
  if (rule.fixed) {
    if (rounds >= rule.max_rounds) {
      check.stop = true;
      check.reason = fmt::format("a fixed {} round(s) per side (--rounds)", rule.max_rounds);
    }
    return check;
  }
  if (rounds < rule.min_rounds) return check;
  if (precise) {
    check.stop = true;
    check.reason = fmt::format("--precision reached after {} rounds per side: every compared case's 95% CI "
                               "half-width is at most ±{:g}%",
                               rounds, rule.precision_pct);
  } else if (rounds >= rule.max_rounds) {
    const auto above = std::count_if(check.widths.begin(), check.widths.end(),
                                     [&](const CaseWidth& w) { return w.half_width_pct > rule.precision_pct; });
    check.stop = true;
    check.reason = fmt::format("--max-rounds {} reached with {} case(s) still wider than ±{:g}% (widest: {} ±{:.1f}%)",
                               rule.max_rounds, above, rule.precision_pct, check.widths.front().name,
                               check.widths.front().half_width_pct);
  }
  return check;
}

}  // namespace sb::compare
