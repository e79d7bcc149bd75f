// Descriptive statistics and the Student-t confidence interval of the mean.
#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

#include <boost/math/distributions/students_t.hpp>
#include <fmt/format.h>

#include "stats/checks.hpp"
#include "stats/stats.hpp"

namespace sb::stats {

namespace {

std::vector<double> sorted_copy(std::span<const double> xs) {
  std::vector<double> sorted(xs.begin(), xs.end());
  std::sort(sorted.begin(), sorted.end());
  return sorted;
}

// Half-width of the t interval; needs n >= 2.
double t_half_width(std::size_t n, double sd, double confidence) {
  const boost::math::students_t t_dist(static_cast<double>(n - 1));
  const double t_crit = boost::math::quantile(t_dist, 0.5 + confidence / 2.0);
  return t_crit * sd / std::sqrt(static_cast<double>(n));
}

}  // namespace

double mean(std::span<const double> xs) {
  detail::require_sample("mean", xs, 1);
  return detail::shifted_mean(xs);
}

double median(std::span<const double> xs) {
  detail::require_sample("median", xs, 1);
  return detail::quantile_sorted(sorted_copy(xs), 0.5);
}

double stdev(std::span<const double> xs) {
  detail::require_sample("stdev", xs, 2);
  return std::sqrt(detail::sample_variance(xs));
}

double quantile(std::span<const double> xs, double q) {
  detail::require_sample("quantile", xs, 1);
  if (!(q >= 0.0 && q <= 1.0)) {
    throw std::invalid_argument(
        fmt::format("sb::stats::quantile: needs a probability q in [0, 1] (got {})", q));
  }
  return detail::quantile_sorted(sorted_copy(xs), q);
}

// With a single value the interval is undefined; it collapses to the mean so that callers still
// get finite bounds, and describe() reports an infinite relative half-width instead.
Interval mean_ci(std::span<const double> xs, double confidence) {
  detail::require_sample("mean_ci", xs, 1);
  detail::require_confidence("mean_ci", confidence);
  const double m = detail::shifted_mean(xs);
  if (xs.size() < 2) return {m, m};
  const double half = t_half_width(xs.size(), std::sqrt(detail::sample_variance(xs)), confidence);
  return {m - half, m + half};
}

Summary describe(std::span<const double> xs, double confidence) {
  detail::require_sample("describe", xs, 1);
  detail::require_confidence("describe", confidence);
  const std::vector<double> sorted = sorted_copy(xs);
  Summary s;
  s.n = xs.size();
  s.mean = detail::shifted_mean(xs);
  s.median = detail::quantile_sorted(sorted, 0.5);
  s.min = sorted.front();
  s.max = sorted.back();
  s.q1 = detail::quantile_sorted(sorted, 0.25);
  s.q3 = detail::quantile_sorted(sorted, 0.75);
  s.mean_ci = mean_ci(xs, confidence);
  constexpr double kInf = std::numeric_limits<double>::infinity();
  if (s.n < 2) {
    // One sample says nothing about spread: an infinite relative width keeps a stopping rule
    // ("repeat until the CI is narrow enough") from ever stopping on it.
    s.stdev = 0.0;
    s.ci_half_width_rel = kInf;
    return s;
  }
  s.stdev = std::sqrt(detail::sample_variance(xs));
  const double half = (s.mean_ci.high - s.mean_ci.low) / 2.0;
  // A zero-width interval is as narrow as it gets, even around a zero mean.
  if (half == 0.0) {
    s.ci_half_width_rel = 0.0;
  } else {
    s.ci_half_width_rel = s.mean == 0.0 ? kInf : half / std::abs(s.mean);
  }
  return s;
}

}  // namespace sb::stats
