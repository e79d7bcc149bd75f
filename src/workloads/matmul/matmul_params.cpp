#include "workloads/matmul/matmul_params.hpp"

#include <algorithm>
#include <chrono>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/error.hpp"

namespace sb::matmul {

std::string to_string(Precision p) {
  switch (p) {
    case Precision::Fp32: return "fp32";
    case Precision::Tf32: return "tf32";
    case Precision::Fp16: return "fp16";
    case Precision::Bf16: return "bf16";
    case Precision::Fp64: return "fp64";
  }
  return "fp32";
}

namespace {

std::vector<std::string> names(std::span<const Precision> precisions) {
  std::vector<std::string> out;
  for (Precision p : precisions) out.push_back(to_string(p));
  return out;
}

}  // namespace

GemmParams read_gemm_params(std::string_view workload, const Params& params, std::span<const Precision> valid) {
  GemmParams out;
  out.n = params.integer("n");
  const std::string& precision = params.str("precision");
  auto it = std::find_if(valid.begin(), valid.end(), [&](Precision p) { return to_string(p) == precision; });
  if (it == valid.end())
    throw Error(fmt::format("{}: precision '{}' is not supported", workload, precision),
                fmt::format("valid values of precision: {}", fmt::join(names(valid), ", ")));
  out.precision = *it;

  out.inner = params.integer("inner");
  return out;
}

std::vector<ParamSpec> gemm_param_specs(std::int64_t default_n, std::span<const Precision> precisions) {
  return {
      // BLAS dimensions and leading dimensions are ints.
      {.name = "n", .type = ParamSpec::Type::Int, .defaults = {std::to_string(default_n)}, .choices = {},
       .help = "matrix size: C = A B with A, B and C n x n", .min = 1, .max = kMaxIntParam},
      {.name = "precision", .type = ParamSpec::Type::String, .defaults = names(precisions),
       .choices = names(precisions), .help = "element type of A, B and C (accumulation is fp32 or wider)"},
      {.name = "inner", .type = ParamSpec::Type::Int, .defaults = {"0"}, .choices = {},
       .help = fmt::format("GEMMs per repetition; 0 = choose after warm-up so that a repetition lasts >= {} ms",
                           kTargetRepetitionMs),
       .min = 0, .tuning = true},
  };
}

Sizing gemm_sizing(const GemmParams& params) {
  return {.target = std::chrono::milliseconds(kTargetRepetitionMs), .fixed = static_cast<std::uint64_t>(params.inner)};
}

}  // namespace sb::matmul
