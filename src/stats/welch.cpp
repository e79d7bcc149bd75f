// Welch's unequal-variance t-test.
#include <cmath>
#include <limits>

#include <boost/math/distributions/students_t.hpp>

#include "stats/checks.hpp"
#include "stats/stats.hpp"

namespace sb::stats {

WelchResult welch_t_test(std::span<const double> a, std::span<const double> b) {
  detail::require_sample("welch_t_test", a, 2, "sample a");
  detail::require_sample("welch_t_test", b, 2, "sample b");
  const auto na = static_cast<double>(a.size());
  const auto nb = static_cast<double>(b.size());
  const double mean_a = detail::shifted_mean(a);
  const double mean_b = detail::shifted_mean(b);
  const double va_n = detail::sample_variance(a) / na;  // squared standard error of mean_a
  const double vb_n = detail::sample_variance(b) / nb;
  const double se2 = va_n + vb_n;

  WelchResult r;
  r.difference = mean_b - mean_a;
  r.se = std::sqrt(se2);
  if (se2 == 0.0) {
    // Both samples constant: the statistic is 0/0 or x/0 and the Welch df is 0/0. Without any
    // spread, equal means are indistinguishable (p = 1) and different means are certainly
    // different (p = 0, t = +-inf). df falls back to the pooled test's n_a + n_b - 2.
    r.df = na + nb - 2.0;
    if (mean_a == mean_b) {
      r.t = 0.0;
      r.p_value = 1.0;
    } else {
      r.t = std::copysign(std::numeric_limits<double>::infinity(), mean_b - mean_a);
      r.p_value = 0.0;
    }
    return r;
  }
  r.t = r.difference / r.se;
  // Welch–Satterthwaite in terms of each sample's share of se2, which cannot underflow.
  const double share_a = va_n / se2;
  const double share_b = vb_n / se2;
  r.df = 1.0 / (share_a * share_a / (na - 1.0) + share_b * share_b / (nb - 1.0));
  const boost::math::students_t t_dist(r.df);
  r.p_value = 2.0 * boost::math::cdf(boost::math::complement(t_dist, std::abs(r.t)));
  return r;
}

Interval welch_interval(const WelchResult& w, double confidence) {
  detail::require_confidence("welch_interval", confidence);
  if (w.se == 0.0) return {w.difference, w.difference};
  const boost::math::students_t t_dist(w.df);
  const double half = boost::math::quantile(t_dist, 0.5 + confidence / 2.0) * w.se;
  return {w.difference - half, w.difference + half};
}

}  // namespace sb::stats
