#pragma once
// Correctness of a GEMM C = A B (row-major, n x n) from a sample of its entries: each sampled
// C(i,j) is recomputed in double from the regenerated inputs and compared, relative to
// sum_k |A(i,k) B(k,j)| (the scale that rounding errors of a dot product grow with).
#include <cstdint>
#include <functional>
#include <limits>
#include <span>
#include <string_view>
#include <vector>

#include "workloads/matmul/matmul_inputs.hpp"
#include "workloads/matmul/matmul_params.hpp"

namespace sb::matmul {

struct Entry {
  std::int64_t i = 0;
  std::int64_t j = 0;
};

// `count` seeded random entries plus the four corners (where indexing mistakes show first).
std::vector<Entry> sample_entries(std::int64_t n, std::uint64_t seed, int count = 64);

struct SampledValue {
  Entry at;
  double value = 0;  // the computed C(i,j), converted exactly to double
};

// The stored value of input entry `index` (row-major: A(i,k) = i*n + k, B(k,j) = k*n + j), exactly
// as the GEMM read it (after rounding to the storage type).
using StoredInput = std::function<double(InputMatrix matrix, std::int64_t index)>;

struct GemmCheck {
  double bound = 0;
  // max over samples of |C - ref| / sum_k |A(i,k) B(k,j)|; NaN counts as inf, no samples as failure
  double max_error = std::numeric_limits<double>::infinity();
  SampledValue worst;        // the entry with max_error
  double worst_reference = 0;
  bool passed() const { return max_error <= bound; }
};

GemmCheck check_gemm_samples(std::span<const SampledValue> samples, std::int64_t n, const StoredInput& input,
                             double bound);

// Throws sb::Error with the worst entry when the check failed.
void require_passed(const GemmCheck& check, std::string_view what);

// The largest relative error (as in GemmCheck) a correct GEMM of size n can make in this precision;
// the derivation is beside the definition.
double gemm_error_bound(Precision precision, std::int64_t n);

}  // namespace sb::matmul
