// Hedges' g: standardized mean difference with the small-sample bias correction.
#include <cmath>
#include <limits>

#include "stats/checks.hpp"
#include "stats/stats.hpp"

namespace sb::stats {

// Correction J = 1 - 3 / (4 (n_a + n_b) - 9), Hedges & Olkin's (1985) approximation of the exact
// gamma-function factor; it is within 0.1 % of it from n_a + n_b = 10 on, and it is the form used
// by common tools (e.g. pingouin), which makes the value comparable.
double hedges_g(std::span<const double> a, std::span<const double> b) {
  detail::require_sample("hedges_g", a, 2, "sample a");
  detail::require_sample("hedges_g", b, 2, "sample b");
  const auto na = static_cast<double>(a.size());
  const auto nb = static_cast<double>(b.size());
  const double difference = detail::shifted_mean(b) - detail::shifted_mean(a);
  const double pooled_variance =
      ((na - 1.0) * detail::sample_variance(a) + (nb - 1.0) * detail::sample_variance(b)) /
      (na + nb - 2.0);
  // Both samples constant: as in welch_t_test, equal means are no effect and different means
  // an unbounded one.
  if (pooled_variance == 0.0) {
    if (difference == 0.0) return 0.0;
    return std::copysign(std::numeric_limits<double>::infinity(), difference);
  }
  const double correction = 1.0 - 3.0 / (4.0 * (na + nb) - 9.0);
  return correction * difference / std::sqrt(pooled_variance);
}

}  // namespace sb::stats
