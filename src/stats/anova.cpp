// One-way analysis of variance. compare uses it to ask whether the rounds of an A/B run differ
// among themselves more than their repetitions explain (then a round, not a repetition, is the
// unit of the test).
#include <limits>
#include <stdexcept>

#include <boost/math/distributions/fisher_f.hpp>

#include "stats/checks.hpp"
#include "stats/stats.hpp"

namespace sb::stats {

AnovaResult one_way_anova(const std::vector<std::vector<double>>& groups) {
  if (groups.size() < 2) throw std::invalid_argument("one_way_anova: needs at least 2 groups");
  std::size_t n = 0;
  double total = 0;
  for (const auto& g : groups) {
    detail::require_sample("one_way_anova", g, 1, "a group");
    n += g.size();
    for (double v : g) total += v;
  }
  if (n <= groups.size()) throw std::invalid_argument("one_way_anova: needs more values than groups");
  const double grand_mean = total / static_cast<double>(n);
  double between = 0, within = 0;
  for (const auto& g : groups) {
    double sum = 0;
    for (double v : g) sum += v;
    const double mean = sum / static_cast<double>(g.size());
    between += static_cast<double>(g.size()) * (mean - grand_mean) * (mean - grand_mean);
    for (double v : g) within += (v - mean) * (v - mean);
  }
  AnovaResult r;
  r.df_between = static_cast<double>(groups.size() - 1);
  r.df_within = static_cast<double>(n - groups.size());
  const double ms_between = between / r.df_between;
  const double ms_within = within / r.df_within;
  if (ms_within == 0) {
    r.f = ms_between == 0 ? 0 : std::numeric_limits<double>::infinity();
    r.p_value = ms_between == 0 ? 1 : 0;
    return r;
  }
  r.f = ms_between / ms_within;
  const boost::math::fisher_f dist(r.df_between, r.df_within);
  r.p_value = boost::math::cdf(boost::math::complement(dist, r.f));
  return r;
}

}  // namespace sb::stats
