// Holm–Bonferroni step-down adjustment for many comparisons.
#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <vector>

#include <fmt/format.h>

#include "stats/stats.hpp"

namespace sb::stats {

// The k-th smallest of m p-values (k from 0) is multiplied by m - k; a running maximum keeps the
// adjusted values in the same order as the raw ones. Equal p-values get equal adjusted values
// whatever their order in the input (stable sort, and the running maximum carries over).
// No p-values give no adjusted ones.
std::vector<double> holm_adjust(std::span<const double> p_values) {
  for (std::size_t i = 0; i < p_values.size(); ++i) {
    const double p = p_values[i];
    if (!(p >= 0.0 && p <= 1.0)) {
      throw std::invalid_argument(fmt::format(
          "sb::stats::holm_adjust: needs p-values in [0, 1], but got {} at index {}", p, i));
    }
  }
  const std::size_t m = p_values.size();
  std::vector<std::size_t> order(m);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t i, std::size_t j) { return p_values[i] < p_values[j]; });
  std::vector<double> adjusted(m);
  double running_max = 0.0;
  for (std::size_t k = 0; k < m; ++k) {
    const double scaled = std::min(1.0, static_cast<double>(m - k) * p_values[order[k]]);
    running_max = std::max(running_max, scaled);
    adjusted[order[k]] = running_max;
  }
  return adjusted;
}

}  // namespace sb::stats
