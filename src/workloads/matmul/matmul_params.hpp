#pragma once
// What the GPU and CPU matmul workloads share: their parameters and the rule that picks how many
// GEMMs make one repetition.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "workload/workload.hpp"

namespace sb::matmul {

enum class Precision { Fp32, Tf32, Fp16, Bf16, Fp64 };
std::string to_string(Precision p);

// The case's parameters; their specs (gemm_param_specs) bound n to a BLAS int >= 1 and inner to
// >= 0 before any case is made. Throws sb::Error for a precision not among `valid`, naming the
// workload and the valid values.
struct GemmParams {
  std::int64_t n = 0;
  Precision precision = Precision::Fp32;
  std::int64_t inner = 0;  // GEMMs per repetition; 0 = calibrated by the harness (gemm_sizing)
};
GemmParams read_gemm_params(std::string_view workload, const Params& params, std::span<const Precision> valid);

// The ParamSpecs both workloads declare (n, precision, inner), with their defaults and bounds.
std::vector<ParamSpec> gemm_param_specs(std::int64_t default_n, std::span<const Precision> precisions);

constexpr std::int64_t kTargetRepetitionMs = 25;

// GEMMs per repetition: `inner` when > 0, else calibrated by the harness so that a repetition
// lasts about kTargetRepetitionMs (long enough for the clock's resolution and launch gaps not to
// matter).
Sizing gemm_sizing(const GemmParams& params);

// Floating-point operations of one n x n x n GEMM: n^3 multiply-adds.
constexpr double gemm_flops(std::int64_t n) { return 2.0 * static_cast<double>(n) * static_cast<double>(n) * static_cast<double>(n); }

}  // namespace sb::matmul
