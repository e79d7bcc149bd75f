// Percentile bootstrap confidence interval of the ratio of medians.
#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <stdexcept>
#include <vector>

#include <fmt/format.h>

#include "stats/checks.hpp"
#include "stats/stats.hpp"

namespace sb::stats {

namespace {

// Uniform index in [0, n) by rejection. std::uniform_int_distribution is not specified exactly by
// the standard, so it would give different intervals for the same seed on different libraries;
// mt19937_64 itself is fully specified.
std::size_t uniform_index(std::mt19937_64& rng, std::size_t n) {
  const std::uint64_t range = n;
  const std::uint64_t limit = std::numeric_limits<std::uint64_t>::max() -
                              std::numeric_limits<std::uint64_t>::max() % range;
  std::uint64_t draw = rng();
  while (draw >= limit) draw = rng();
  return static_cast<std::size_t>(draw % range);
}

double resampled_median(std::span<const double> xs, std::mt19937_64& rng,
                        std::vector<double>& buffer) {
  for (double& slot : buffer) slot = xs[uniform_index(rng, xs.size())];
  const std::size_t mid = buffer.size() / 2;
  std::nth_element(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(mid), buffer.end());
  const double upper = buffer[mid];
  if (buffer.size() % 2 == 1) return upper;
  const double lower = *std::max_element(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(mid));
  return lower + (upper - lower) / 2.0;
}

bool one_sign_nonzero(std::span<const double> xs) {
  return std::all_of(xs.begin(), xs.end(), [](double x) { return x > 0.0; }) ||
         std::all_of(xs.begin(), xs.end(), [](double x) { return x < 0.0; });
}

}  // namespace

Interval bootstrap_ratio_of_medians(std::span<const double> a, std::span<const double> b,
                                    double confidence, int resamples, std::uint64_t seed) {
  detail::require_sample("bootstrap_ratio_of_medians", a, 1, "sample a");
  detail::require_sample("bootstrap_ratio_of_medians", b, 1, "sample b");
  detail::require_confidence("bootstrap_ratio_of_medians", confidence);
  // Every resampled median of a must be a usable denominator.
  if (!one_sign_nonzero(a)) {
    throw std::invalid_argument(
        "sb::stats::bootstrap_ratio_of_medians: needs the values of sample a to be all positive or "
        "all negative, so that no resampled median of a is zero");
  }
  // Fewer resamples than this leave a tail without a single resample: the bounds would just be
  // the extreme ratios.
  const double tail = (1.0 - confidence) / 2.0;
  const double min_resamples = std::ceil(1.0 / tail);
  if (static_cast<double>(resamples) < min_resamples) {
    throw std::invalid_argument(fmt::format(
        "sb::stats::bootstrap_ratio_of_medians: needs at least {} resamples for a {} interval (got {})",
        min_resamples, confidence, resamples));
  }

  std::mt19937_64 rng(seed);
  std::vector<double> buffer_a(a.size());
  std::vector<double> buffer_b(b.size());
  std::vector<double> ratios(static_cast<std::size_t>(resamples));
  for (double& ratio : ratios) {
    const double median_a = resampled_median(a, rng, buffer_a);
    const double median_b = resampled_median(b, rng, buffer_b);
    ratio = median_b / median_a;
  }
  std::sort(ratios.begin(), ratios.end());
  return {detail::quantile_sorted(ratios, tail), detail::quantile_sorted(ratios, 1.0 - tail)};
}

}  // namespace sb::stats
