#include "compare/metric.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <boost/math/distributions/students_t.hpp>
#include <fmt/format.h>

namespace sb::compare::detail {
namespace {

// 95% intervals whatever alpha is: alpha is the family-wise level of the Holm-corrected decision,
// not a per-case coverage (docs/methodology.md). The 90% interval is the equivalence test.
constexpr double kConfidence = 0.95;
constexpr double kEquivalenceConfidence = 0.90;
constexpr int kMaxRounds = 1000;
// Beyond this many rounds per side the estimate is reported as "near the threshold": the point
// estimate lies so close to +-min_effect that no practical run decides it.
constexpr int kPracticalRounds = 100;

std::vector<double> concatenated(const Rounds& rounds) {
  std::vector<double> all;
  for (const auto& r : rounds) all.insert(all.end(), r.begin(), r.end());
  return all;
}

std::vector<double> logs(const std::vector<double>& xs) {
  std::vector<double> out;
  out.reserve(xs.size());
  for (double x : xs) out.push_back(std::log(x));
  return out;
}

SideBasis basis(std::vector<double> units) {
  SideBasis s;
  const auto l = logs(units);
  s.center = std::exp(stats::mean(l));
  const auto ci = stats::mean_ci(l, kConfidence);
  s.center_ci = {std::exp(ci.low), std::exp(ci.high)};
  s.spread_pct = l.size() >= 2 ? 100 * stats::stdev(l) : 0;
  s.units = std::move(units);
  return s;
}

// The candidate's extra cost from a log ratio d = log(candidate / baseline): for a lower-is-better
// metric the cost grows with the ratio, for a higher-is-better one with its inverse.
double cost_pct(double d, Better better) { return 100 * (std::exp(better == Better::Lower ? d : -d) - 1); }

stats::Interval cost_interval(const stats::Interval& d, Better better) {
  return better == Better::Lower ? stats::Interval{cost_pct(d.low, better), cost_pct(d.high, better)}
                                 : stats::Interval{cost_pct(d.high, better), cost_pct(d.low, better)};
}

MetricComparison not_comparable(MetricComparison m, std::string why) {
  m.verdict = Verdict::NotComparable;
  m.not_comparable = std::move(why);
  return m;
}

// Why the repetition is the unit: which side(s) ran in a single process.
std::string single_process_reason(const MetricComparison& m) {
  const std::string who = m.rounds_baseline < 2 && m.rounds_candidate < 2 ? "each side ran in one process"
                          : m.rounds_baseline < 2                          ? "the baseline ran in one process"
                                                                           : "the candidate ran in one process";
  return who + ": its repetitions share that process's state (thread placement, memory layout, clocks), so "
               "they cannot tell the environment from process-to-process variation; run each side in several "
               "processes (`sparkbench ab` runs at least 4 per side, or `run` 4 times per label and compare the "
               "directories)";
}

// The sum of both sides' variances of one unit's log: what the rounds estimates scale.
double unit_variance_sum(const MetricComparison& m) {
  return std::pow(m.baseline.spread_pct / 100, 2) + std::pow(m.candidate.spread_pct / 100, 2);
}

std::string pct_interval(const stats::Interval& i) { return fmt::format("[{:+.1f}%, {:+.1f}%]", i.low, i.high); }

// Which decision the estimate aims at: equivalence when the estimate lies inside the margin, a
// difference otherwise; the half-width (in logs) that decision needs and the tail of its interval.
std::optional<int> rounds_to_decide(const MetricComparison& m, double min_effect_pct) {
  const double cost = m.spec.better == Better::Lower ? m.welch.difference : -m.welch.difference;
  const double low = std::log1p(-min_effect_pct / 100), high = std::log1p(min_effect_pct / 100);
  const double variance_sum = unit_variance_sum(m);
  if (cost > low && cost < high) return rounds_for_half_width(variance_sum, std::min(cost - low, high - cost), 0.05);
  return rounds_for_half_width(variance_sum, std::abs(cost), 0.025);
}

}  // namespace

std::optional<int> rounds_for_half_width(double variance_sum, double half_width, double tail) {
  if (!(variance_sum > 0) || !(half_width > 0)) return std::nullopt;
  for (int n = 2; n <= kMaxRounds; ++n) {
    const boost::math::students_t t(2.0 * n - 2);
    if (boost::math::quantile(boost::math::complement(t, tail)) * std::sqrt(variance_sum / n) <= half_width) return n;
  }
  return std::nullopt;
}

std::optional<int> rounds_for_precision(const MetricComparison& m, double precision_pct) {
  if (m.unit != TestUnit::Round || m.verdict == Verdict::NotComparable) return std::nullopt;
  return rounds_for_half_width(unit_variance_sum(m), std::log1p(precision_pct / 100), 0.025);
}

MetricComparison compare_metric(const MetricSpec& spec, const Rounds& baseline, const Rounds& candidate,
                                const Options& options) {
  MetricComparison m;
  m.spec = spec;
  m.rounds_baseline = baseline.size();
  m.rounds_candidate = candidate.size();
  const auto b_all = concatenated(baseline), c_all = concatenated(candidate);
  try {
    if (!b_all.empty()) m.baseline_repetitions = stats::describe(b_all, kConfidence);
    if (!c_all.empty()) m.candidate_repetitions = stats::describe(c_all, kConfidence);
    m.unit = baseline.size() >= 2 && candidate.size() >= 2 ? TestUnit::Round : TestUnit::Repetition;
    std::vector<double> b_units, c_units;
    if (m.unit == TestUnit::Round) {
      for (const auto& r : baseline) b_units.push_back(stats::median(r));
      for (const auto& r : candidate) c_units.push_back(stats::median(r));
    } else {
      b_units = b_all;
      c_units = c_all;
    }
    if (b_units.size() < 2 || c_units.size() < 2) {
      return not_comparable(std::move(m), fmt::format("too few samples of '{}': baseline {}, candidate {} (need 2 per side)",
                                                      spec.name, b_all.size(), c_all.size()));
    }
    const auto positive = [](const std::vector<double>& xs) {
      return std::all_of(xs.begin(), xs.end(), [](double x) { return x > 0; });
    };
    if (!positive(b_units) || !positive(c_units)) {
      return not_comparable(std::move(m), fmt::format("'{}' has values that are not positive: a relative overhead "
                                                      "is undefined",
                                                      spec.name));
    }
    m.baseline = basis(std::move(b_units));
    m.candidate = basis(std::move(c_units));
    const auto lb = logs(m.baseline.units), lc = logs(m.candidate.units);
    m.welch = stats::welch_t_test(lb, lc);
    m.overhead_pct = cost_pct(m.welch.difference, spec.better);
    m.overhead_ci_pct = cost_interval(stats::welch_interval(m.welch, kConfidence), spec.better);
    m.overhead_ci90_pct = cost_interval(stats::welch_interval(m.welch, kEquivalenceConfidence), spec.better);
    m.mann_whitney = stats::mann_whitney_u(m.baseline.units, m.candidate.units);
    m.hedges_g = stats::hedges_g(lb, lc);
  } catch (const std::invalid_argument& e) {
    return not_comparable(std::move(m), fmt::format("'{}': {}", spec.name, e.what()));
  }
  m.p_adjusted = m.welch.p_value;
  decide(m, options);
  return m;
}

void decide(MetricComparison& m, const Options& options) {
  if (m.verdict == Verdict::NotComparable) return;
  m.inconclusive_reason.clear();
  m.rounds_to_resolve.reset();
  const double margin = options.min_effect_pct;
  if (m.unit == TestUnit::Repetition) {
    m.verdict = Verdict::Inconclusive;
    m.inconclusive_reason = single_process_reason(m);
  } else if (m.p_adjusted < options.alpha && std::abs(m.overhead_pct) >= margin) {
    m.verdict = band_for_overhead(m.overhead_pct);
  } else if (m.overhead_ci90_pct.low > -margin && m.overhead_ci90_pct.high < margin) {
    m.verdict = Verdict::Equivalent;
  } else {
    m.verdict = Verdict::Inconclusive;
    m.rounds_to_resolve = rounds_to_decide(m, margin);
    // The estimate ignores Holm and the Welch degrees of freedom; it never asks for fewer rounds
    // than already failed to decide.
    const int done = static_cast<int>(std::max(m.rounds_baseline, m.rounds_candidate));
    if (m.rounds_to_resolve && *m.rounds_to_resolve <= done) m.rounds_to_resolve = done + 1;
    if (m.rounds_to_resolve && *m.rounds_to_resolve > kPracticalRounds) m.rounds_to_resolve.reset();
    const std::string estimate =
        m.rounds_to_resolve
            ? fmt::format("about {} rounds per side would resolve it at the spread seen", *m.rounds_to_resolve)
            : fmt::format("the estimate lies so near ±{:g}% that more than {} rounds per side would be needed at the "
                          "spread seen",
                          margin, kPracticalRounds);
    m.inconclusive_reason = fmt::format("95% CI {} after {}/{} rounds shows neither a difference of at least ±{:g}% "
                                        "nor equivalence within it; {}",
                                        pct_interval(m.overhead_ci_pct), m.rounds_baseline, m.rounds_candidate, margin,
                                        estimate);
  }
}

}  // namespace sb::compare::detail
