#pragma once
// Internal to src/compare: the statistics and the verdict of one metric of one case.
#include <optional>
#include <vector>

#include "compare/compare.hpp"

namespace sb::compare::detail {

// One side of a metric: its repetitions, one vector per process (round) that measured it.
using Rounds = std::vector<std::vector<double>>;

// Descriptive statistics, the tests and the overhead on one basis (compare.hpp TestUnit), with a
// provisional verdict from the unadjusted p; decide() sets the final one after Holm. Never throws:
// samples that cannot give an answer make the metric NotComparable with the reason.
MetricComparison compare_metric(const MetricSpec& spec, const Rounds& baseline, const Rounds& candidate,
                                const Options& options);

// The verdict from p_adjusted, the overhead and its intervals (docs/methodology.md):
// slower/faster when p_adjusted < alpha and |overhead| >= min_effect_pct; equivalent when the 90% CI
// lies inside +-min_effect_pct; otherwise inconclusive, with the reason and the rounds estimate.
// With the repetition as the unit it is always inconclusive. rounds_to_resolve is left empty beyond
// 100 rounds per side (the estimate lies at the threshold).
void decide(MetricComparison& m, const Options& options);

// The rounds per side n (2..1000) for which t(1 - tail, 2n - 2) * sqrt(variance_sum / n) <= half_width,
// where variance_sum is the sum of both sides' variances of one unit (in logs) and half_width is in
// logs; nullopt when more than 1000 would be needed or variance_sum is 0.
std::optional<int> rounds_for_half_width(double variance_sum, double half_width, double tail);

// The rounds per side that would bring the overhead's 95% CI half-width to precision_pct at the spread
// seen; nullopt without a round-level spread.
std::optional<int> rounds_for_precision(const MetricComparison& m, double precision_pct);

}  // namespace sb::compare::detail
