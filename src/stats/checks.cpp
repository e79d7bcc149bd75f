#include "stats/checks.hpp"

#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

namespace sb::stats::detail {

void require_sample(std::string_view function, std::span<const double> xs, std::size_t min_size,
                    std::string_view what) {
  if (xs.size() < min_size) {
    throw std::invalid_argument(fmt::format("sb::stats::{}: needs at least {} value{} in {} (got {})",
                                            function, min_size, min_size == 1 ? "" : "s", what,
                                            xs.size()));
  }
  for (std::size_t i = 0; i < xs.size(); ++i) {
    if (!std::isfinite(xs[i])) {
      throw std::invalid_argument(fmt::format("sb::stats::{}: needs finite values, but {} has {} at index {}",
                                              function, what, xs[i], i));
    }
  }
}

void require_confidence(std::string_view function, double confidence) {
  if (!(confidence > 0.0 && confidence < 1.0)) {
    throw std::invalid_argument(
        fmt::format("sb::stats::{}: needs a confidence level strictly between 0 and 1 (got {})",
                    function, confidence));
  }
}

double shifted_mean(std::span<const double> xs) {
  const double origin = xs.front();
  double sum = 0.0;
  for (double x : xs) sum += x - origin;
  return origin + sum / static_cast<double>(xs.size());
}

double sample_variance(std::span<const double> xs) {
  const double m = shifted_mean(xs);
  double sum_sq = 0.0;
  for (double x : xs) sum_sq += (x - m) * (x - m);
  return sum_sq / static_cast<double>(xs.size() - 1);
}

double quantile_sorted(std::span<const double> sorted, double q) {
  const double h = static_cast<double>(sorted.size() - 1) * q;
  const auto lo = static_cast<std::size_t>(std::floor(h));
  if (lo + 1 >= sorted.size()) return sorted.back();
  return sorted[lo] + (h - static_cast<double>(lo)) * (sorted[lo + 1] - sorted[lo]);
}

}  // namespace sb::stats::detail
