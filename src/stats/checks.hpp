#pragma once
// Input checks and small shared computations of the stats module (not part of its public API).
#include <cstddef>
#include <span>
#include <string_view>

namespace sb::stats::detail {

// Throw std::invalid_argument "sb::stats::<function>: needs ..." unless the sample has at least
// `min_size` values, all finite. `what` names the sample in the message ("a", "b", "the sample").
void require_sample(std::string_view function, std::span<const double> xs, std::size_t min_size,
                    std::string_view what = "the sample");

// Throw unless 0 < confidence < 1.
void require_confidence(std::string_view function, double confidence);

// Mean and sample variance (n - 1) of a checked sample. Both are computed around the first value,
// which keeps precision for large values with small spread and makes a constant sample's mean
// exactly its value and its variance exactly 0 (the zero-variance rules depend on that).
double shifted_mean(std::span<const double> xs);
double sample_variance(std::span<const double> xs);  // needs xs.size() >= 2

// R type 7 quantile of an ascending, non-empty sample.
double quantile_sorted(std::span<const double> sorted, double q);

}  // namespace sb::stats::detail
