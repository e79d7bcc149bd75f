// Mann–Whitney U test (Wilcoxon rank-sum), two-sided.
//
// Method: the exact null distribution of U when there are no ties and n_a * n_b <= 2500 (cheap:
// at most ~1.6 million additions, and beyond that size the normal approximation is accurate to a
// few percent of p); otherwise the normal approximation with the tie-corrected variance and a continuity
// correction of 0.5 towards the mean. The latter reproduces scipy.stats.mannwhitneyu(a, b,
// method='asymptotic', use_continuity=True); the exact p-value reproduces method='exact' (both:
// twice the smaller tail, capped at 1).
#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include <boost/math/distributions/normal.hpp>

#include "stats/checks.hpp"
#include "stats/stats.hpp"

namespace sb::stats {

namespace {

constexpr std::size_t kExactMaxPairs = 2500;

struct RankSums {
  double rank_sum_a = 0;   // midranks (1-based) of sample a within the pooled sample
  double tie_term = 0;     // sum over groups of equal values of t^3 - t
};

RankSums rank_sums(std::span<const double> a, std::span<const double> b) {
  const std::size_t n = a.size() + b.size();
  auto value = [&](std::size_t i) { return i < a.size() ? a[i] : b[i - a.size()]; };
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(),
            [&](std::size_t i, std::size_t j) { return value(i) < value(j); });
  RankSums sums;
  for (std::size_t start = 0; start < n;) {
    std::size_t end = start + 1;
    while (end < n && value(order[end]) == value(order[start])) ++end;
    const double midrank = (static_cast<double>(start + 1) + static_cast<double>(end)) / 2.0;
    for (std::size_t k = start; k < end; ++k) {
      if (order[k] < a.size()) sums.rank_sum_a += midrank;
    }
    const auto t = static_cast<double>(end - start);
    sums.tie_term += t * t * t - t;
    start = end;
  }
  return sums;
}

// Number of arrangements of m a-values and n b-values (all distinct) giving each U_a = 0..m*n.
// Recurrence on the largest pooled value: if it is an a-value it exceeds all b-values,
// count(i, j, u) = count(i - 1, j, u - j) + count(i, j - 1, u). Only additions of positive
// numbers, so doubles stay accurate far beyond 2^53.
std::vector<double> exact_u_counts(std::size_t m, std::size_t n) {
  // by_i[i] holds count(i, j, .) for the current j.
  std::vector<std::vector<double>> by_i(m + 1, std::vector<double>{1.0});
  for (std::size_t j = 1; j <= n; ++j) {
    for (std::size_t i = 1; i <= m; ++i) {
      std::vector<double> next(i * j + 1, 0.0);
      const std::vector<double>& fewer_b = by_i[i];      // count(i, j - 1, .)
      const std::vector<double>& fewer_a = by_i[i - 1];  // count(i - 1, j, .), updated already
      std::copy(fewer_b.begin(), fewer_b.end(), next.begin());
      for (std::size_t u = 0; u < fewer_a.size(); ++u) next[u + j] += fewer_a[u];
      by_i[i] = std::move(next);
    }
  }
  return by_i[m];
}

// The null distribution of U is the same for sizes (m, n) and (n, m); building it with the smaller
// size as m keeps both memory (~m * m * n / 2 values) and work (~(m * n)^2 / 4 additions) small.
double exact_two_sided_p(std::size_t m, std::size_t n, double u_small) {
  const std::vector<double> counts = exact_u_counts(std::min(m, n), std::max(m, n));
  const double total = std::accumulate(counts.begin(), counts.end(), 0.0);
  double lower_tail = 0.0;
  for (std::size_t u = 0; static_cast<double>(u) <= u_small; ++u) lower_tail += counts[u];
  return std::min(1.0, 2.0 * lower_tail / total);
}

}  // namespace

MannWhitneyResult mann_whitney_u(std::span<const double> a, std::span<const double> b) {
  detail::require_sample("mann_whitney_u", a, 1, "sample a");
  detail::require_sample("mann_whitney_u", b, 1, "sample b");
  const auto na = static_cast<double>(a.size());
  const auto nb = static_cast<double>(b.size());
  const RankSums sums = rank_sums(a, b);

  MannWhitneyResult r;
  r.u = sums.rank_sum_a - na * (na + 1.0) / 2.0;
  const double mu = na * nb / 2.0;

  if (sums.tie_term == 0.0 && a.size() * b.size() <= kExactMaxPairs) {
    r.exact = true;
    r.z = 0.0;
    r.p_value = exact_two_sided_p(a.size(), b.size(), std::min(r.u, na * nb - r.u));
    return r;
  }

  const double n = na + nb;
  const double sigma = std::sqrt(na * nb / 12.0 * ((n + 1.0) - sums.tie_term / (n * (n - 1.0))));
  const double distance = std::max(0.0, std::abs(r.u - mu) - 0.5);  // continuity correction
  if (sigma == 0.0) {
    // Every pooled value is equal: U sits at its mean and nothing distinguishes the samples.
    r.z = 0.0;
    r.p_value = 1.0;
    return r;
  }
  // Signed so that z > 0 means a tends to exceed b; |z| is scipy's z.
  r.z = distance == 0.0 ? 0.0 : std::copysign(distance / sigma, r.u - mu);
  const boost::math::normal standard_normal;
  r.p_value = std::min(1.0, 2.0 * boost::math::cdf(boost::math::complement(standard_normal,
                                                                           std::abs(r.z))));
  return r;
}

}  // namespace sb::stats
