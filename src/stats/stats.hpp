#pragma once
// Statistics for benchmark samples. Pure functions, no I/O. Distributions come from Boost.Math.
// Every function throws std::invalid_argument when its inputs cannot give an answer (too few
// samples, non-finite values), naming the function and what it needed.
#include <cstdint>
#include <span>
#include <vector>

namespace sb::stats {

struct Interval {
  double low = 0;
  double high = 0;
};

struct Summary {
  std::size_t n = 0;
  double mean = 0;
  double median = 0;
  double stdev = 0;  // sample standard deviation (n - 1); 0 when n == 1
  double min = 0;
  double max = 0;
  double q1 = 0;  // quartiles, linear interpolation between order statistics (R type 7)
  double q3 = 0;
  Interval mean_ci;           // t-based confidence interval of the mean (degenerate when n == 1)
  // (mean_ci.high - mean_ci.low) / 2 / |mean|. Infinity when n == 1 (no spread is known, so a
  // "repeat until narrow" rule never stops on one value) and when mean == 0 with a nonzero width;
  // 0 when the interval has zero width.
  double ci_half_width_rel = 0;
};

double mean(std::span<const double> xs);
double median(std::span<const double> xs);
double stdev(std::span<const double> xs);                // sample (n - 1); needs n >= 2
double quantile(std::span<const double> xs, double q);  // R type 7 (numpy's default); q in [0, 1]
// Student t, n - 1 degrees of freedom. With n == 1 the interval is undefined: low = high = mean.
Interval mean_ci(std::span<const double> xs, double confidence = 0.95);
Summary describe(std::span<const double> xs, double confidence = 0.95);

struct WelchResult {
  double t = 0;           // difference / se
  double df = 0;          // Welch–Satterthwaite
  double p_value = 1;     // two-sided
  double difference = 0;  // mean_b - mean_a
  double se = 0;          // standard error of the difference, sqrt(var_a / n_a + var_b / n_b)
};
// Needs n >= 2 in each sample. When both samples are constant (no spread at all): equal means give
// t = 0, p = 1; different means give t = +-inf, p = 0; df is then n_a + n_b - 2.
WelchResult welch_t_test(std::span<const double> a, std::span<const double> b);
// The two-sided confidence interval of mean_b - mean_a that goes with a Welch test:
// difference +- t(df) * se (scipy's ttest_ind(b, a, equal_var=False).confidence_interval()). Zero
// width when both samples are constant.
Interval welch_interval(const WelchResult& w, double confidence = 0.95);

struct MannWhitneyResult {
  double u = 0;        // U statistic of sample a: number of pairs (a_i, b_j) with a_i > b_j, ties 1/2
  double z = 0;        // normal approximation's z (0 when exact)
  double p_value = 1;  // two-sided
  bool exact = false;  // exact permutation distribution (small samples without ties)
};
// Exact when there are no ties and n_a * n_b <= 2500; otherwise the normal approximation with tie
// correction and continuity correction, as scipy.stats.mannwhitneyu(method='asymptotic'). There z
// is signed (z > 0: a tends to exceed b). All values equal: p = 1.
MannWhitneyResult mann_whitney_u(std::span<const double> a, std::span<const double> b);

// Hedges' g of b relative to a: (mean_b - mean_a) / pooled sd, times the small-sample correction
// J = 1 - 3 / (4 (n_a + n_b) - 9). Needs n >= 2 in each sample. Both samples constant: 0 for equal
// means, +-inf otherwise.
double hedges_g(std::span<const double> a, std::span<const double> b);

// Holm–Bonferroni step-down adjusted p-values, in the input order, capped at 1. Empty in, empty out.
std::vector<double> holm_adjust(std::span<const double> p_values);

}  // namespace sb::stats
