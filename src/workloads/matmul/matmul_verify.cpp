#include "workloads/matmul/matmul_verify.hpp"

#include <cmath>
#include <limits>
#include <random>

#include <fmt/format.h>

#include "core/error.hpp"

namespace sb::matmul {

std::vector<Entry> sample_entries(std::int64_t n, std::uint64_t seed, int count) {
  std::vector<Entry> out = {{0, 0}, {0, n - 1}, {n - 1, 0}, {n - 1, n - 1}};
  std::mt19937_64 rng(splitmix64(seed ^ 0x5A3B1E5ull));
  std::uniform_int_distribution<std::int64_t> index(0, n - 1);
  for (int s = 0; s < count; ++s) {
    const std::int64_t i = index(rng);
    out.push_back({i, index(rng)});
  }
  return out;
}

GemmCheck check_gemm_samples(std::span<const SampledValue> samples, std::int64_t n, const StoredInput& input,
                             double bound) {
  GemmCheck check;
  check.bound = bound;
  bool first = true;
  for (const SampledValue& s : samples) {
    double reference = 0;
    double scale = 0;
    for (std::int64_t k = 0; k < n; ++k) {
      const double product = input(InputMatrix::A, s.at.i * n + k) * input(InputMatrix::B, k * n + s.at.j);
      reference += product;
      scale += std::fabs(product);
    }
    const double difference = std::fabs(s.value - reference);
    double error = scale > 0 ? difference / scale : (difference == 0 ? 0 : std::numeric_limits<double>::infinity());
    if (std::isnan(error)) error = std::numeric_limits<double>::infinity();
    if (first || error > check.max_error) {
      first = false;
      check.max_error = error;
      check.worst = s;
      check.worst_reference = reference;
    }
  }
  return check;
}

void require_passed(const GemmCheck& check, std::string_view what) {
  if (check.passed()) return;
  throw Error(fmt::format("{}: wrong result: C({}, {}) = {:.9g}, expected {:.9g} (relative error {:.3g}, bound {:.3g})",
                          what, check.worst.at.i, check.worst.at.j, check.worst.value, check.worst_reference,
                          check.max_error, check.bound),
              "the BLAS library or the device computed a wrong product: check the installation "
              "(`sparkbench doctor`) and the GPU's health (`nvidia-smi -q`), and report it with the run record",
              kExitFailure);
}

// Error of one entry, relative to S = sum_k |a_ik b_kj|. Summing n products in a format with unit
// roundoff u errs by at most ~n u S (Higham, "Accuracy and Stability of Numerical Algorithms", 2nd
// ed., sec. 3.1), for recursive and blocked summation alike; for random data that worst case is
// loose by ~sqrt(n). A wrong entry (wrong index or layout) errs far more: for our inputs (uniform
// on [-1, 1)) C(i,j) - C'(i,j) has standard deviation sqrt(2n)/3 and S is about n/4, so the error
// is ~1.9/sqrt(n) in standard deviations (median 1.27/sqrt(n)), 0.019 at n = 10000.
double gemm_error_bound(Precision precision, std::int64_t n) {
  const double u32 = std::ldexp(1.0, -24);  // fp32 unit roundoff
  const double u64 = std::ldexp(1.0, -53);
  const double fp32_accumulation = static_cast<double>(n) * u32;
  // cuBLAS's default math mode (torch's default as well) lets split-K GEMMs round partial sums to
  // the output type. The partials' magnitudes add up to at most S, so rounding all of them errs by
  // at most u_out S; the final rounding by u_out |C| <= u_out S. Adding the rounded partials errs
  // by u_out times the running sums, which for random data are of the order of |C|, far below S.
  // So two output roundings. Measured on an H200 (cuBLAS 13.1, n = 1000 and 4096), the largest
  // errors of the tensor-core precisions were 33 to 55 times below these bounds (bf16: 2.4e-4
  // against 7.9e-3), fp32 500 times.
  constexpr double kOutputRoundings = 2;
  switch (precision) {
    case Precision::Fp32:
      // Inputs are exact fp32 values; products and sums in fp32.
      return fp32_accumulation;
    case Precision::Tf32:
      // Tensor cores read each fp32 input with a 10-bit mantissa (error <= 2^-10 relative, even if
      // truncated), so each product is off by <= 2^-9 relative before the fp32 accumulation.
      return std::ldexp(1.0, -9) + fp32_accumulation;
    case Precision::Fp16:
      // Inputs are exact fp16 values, their products exact in fp32; fp32 accumulation, then
      // rounding to fp16 (unit roundoff 2^-11).
      return kOutputRoundings * std::ldexp(1.0, -11) + fp32_accumulation;
    case Precision::Bf16:
      // As fp16, with bf16's 8-bit mantissa: unit roundoff 2^-8.
      return kOutputRoundings * std::ldexp(1.0, -8) + fp32_accumulation;
    case Precision::Fp64:
      // fp64 accumulation in the library plus the same again in our double reference.
      return 2 * static_cast<double>(n) * u64;
  }
  return 0;
}

}  // namespace sb::matmul
