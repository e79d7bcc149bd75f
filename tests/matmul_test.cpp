// The matmul workloads' CPU-side parts: the input generator, the sampled-entry checker, parameter
// checking, the CPU GEMM end to end, and the GPU workload's behaviour where it cannot run.
#include <chrono>
#include <cmath>
#include <set>
#include <string>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "test_support.hpp"

#include "config/config.hpp"
#include "plan/plan.hpp"
#include "core/error.hpp"
#include "workload/workload.hpp"
#include "workloads/matmul/matmul_inputs.hpp"
#include "workloads/matmul/matmul_params.hpp"
#include "workloads/matmul/matmul_verify.hpp"

#if SPARKBENCH_HAVE_CUDA
#include "core/gpu_presence.hpp"
#endif

namespace sb::matmul {
namespace {

std::unique_ptr<CaseRun> make_case(const std::string& workload, std::int64_t n, const std::string& precision,
                                   std::int64_t inner = 0, std::uint64_t seed = 42) {
  Params params({{"n", std::to_string(n)}, {"precision", precision}, {"inner", std::to_string(inner)}});
  return Registry::instance().get(workload).make(params, CaseContext{.seed = seed});
}

using sb::test::expect_error;

TEST(MatmulInputs, DeterministicPerSeedAndInRange) {
  const std::uint64_t key = input_key(7, InputMatrix::A);
  std::set<float> distinct;
  int zeros = 0;
  for (std::uint64_t i = 0; i < 100000; ++i) {
    const float v = input_value(key, i);
    EXPECT_EQ(v, input_value(input_key(7, InputMatrix::A), i));
    ASSERT_GE(v, -1.0f);
    ASSERT_LT(v, 1.0f);
    zeros += v == 0.0f;
    distinct.insert(v);
  }
  EXPECT_LE(zeros, 2);  // 0 is one value in 2^24
  EXPECT_GT(distinct.size(), 99000u);
}

TEST(MatmulInputs, DiffersAcrossSeedsAndMatrices) {
  int same_seed = 0, same_matrix = 0;
  for (std::uint64_t i = 0; i < 1000; ++i) {
    same_seed += input_value(input_key(1, InputMatrix::A), i) == input_value(input_key(2, InputMatrix::A), i);
    same_matrix += input_value(input_key(1, InputMatrix::A), i) == input_value(input_key(1, InputMatrix::B), i);
  }
  EXPECT_LE(same_seed, 2);
  EXPECT_LE(same_matrix, 2);
}

TEST(MatmulInputs, UniformMoments) {
  // Uniform on [-1, 1): mean 0, variance 1/3. With 10^5 draws the standard errors are
  // sqrt(1/3 / 1e5) = 0.0018 for the mean and about 0.0012 for the variance.
  const std::uint64_t key = input_key(42, InputMatrix::B);
  double sum = 0, sum_sq = 0;
  constexpr int kDraws = 100000;
  for (int i = 0; i < kDraws; ++i) {
    const double v = input_value(key, static_cast<std::uint64_t>(i));
    sum += v;
    sum_sq += v * v;
  }
  EXPECT_NEAR(sum / kDraws, 0.0, 0.01);
  EXPECT_NEAR(sum_sq / kDraws, 1.0 / 3.0, 0.01);
}

TEST(MatmulVerify, SamplesIncludeCornersAndStayInside) {
  const auto entries = sample_entries(130, 5);
  ASSERT_EQ(entries.size(), 68u);
  EXPECT_EQ(entries[3].i, 129);
  EXPECT_EQ(entries[3].j, 129);
  for (const Entry& e : entries) {
    EXPECT_TRUE(e.i >= 0 && e.i < 130 && e.j >= 0 && e.j < 130);
  }
}

// A small exact GEMM on the generator's inputs, and the checker's verdict on it and on corruptions.
class PlantedError : public ::testing::Test {
 protected:
  static constexpr std::int64_t kN = 50;
  StoredInput input = [](InputMatrix m, std::int64_t index) {
    return static_cast<double>(input_value(input_key(3, m), static_cast<std::uint64_t>(index)));
  };
  std::vector<SampledValue> exact_samples() const {
    std::vector<SampledValue> out;
    for (const Entry& e : sample_entries(kN, 3)) {
      double c = 0;
      for (std::int64_t k = 0; k < kN; ++k) c += input(InputMatrix::A, e.i * kN + k) * input(InputMatrix::B, k * kN + e.j);
      out.push_back({e, c});
    }
    return out;
  }
};

TEST_F(PlantedError, ExactResultPasses) {
  const GemmCheck check = check_gemm_samples(exact_samples(), kN, input, gemm_error_bound(Precision::Fp64, kN));
  EXPECT_TRUE(check.passed());
  EXPECT_EQ(check.max_error, 0.0);
  EXPECT_NO_THROW(require_passed(check, "exact"));
}

TEST_F(PlantedError, OneWrongEntryIsRejectedAndNamed) {
  auto samples = exact_samples();
  samples[10].value += 1e-3 * std::fabs(samples[10].value) + 1e-3;
  const GemmCheck check = check_gemm_samples(samples, kN, input, gemm_error_bound(Precision::Fp32, kN));
  EXPECT_FALSE(check.passed());
  EXPECT_EQ(check.worst.at.i, samples[10].at.i);
  EXPECT_EQ(check.worst.at.j, samples[10].at.j);
  const Error e = expect_error([&] { require_passed(check, "planted"); });
  EXPECT_NE(std::string(e.what()).find(fmt::format("C({}, {})", samples[10].at.i, samples[10].at.j)), std::string::npos)
      << e.what();
  EXPECT_EQ(e.exit_code(), kExitFailure);
}

TEST_F(PlantedError, NaNAndTransposedResultsAreRejected) {
  auto nan = exact_samples();
  nan[0].value = std::nan("");
  EXPECT_FALSE(check_gemm_samples(nan, kN, input, 1.0).passed());

  // C(j,i) in place of C(i,j): the kind of layout mistake the check exists for.
  auto transposed = exact_samples();
  for (auto& s : transposed) {
    double c = 0;
    for (std::int64_t k = 0; k < kN; ++k)
      c += input(InputMatrix::A, s.at.j * kN + k) * input(InputMatrix::B, k * kN + s.at.i);
    s.value = c;
  }
  EXPECT_FALSE(check_gemm_samples(transposed, kN, input, gemm_error_bound(Precision::Bf16, kN)).passed());
}

TEST(MatmulVerify, NoSamplesIsNoPass) { EXPECT_FALSE(GemmCheck{}.passed()); }

TEST(MatmulVerify, BoundsOrderedByPrecision) {
  for (std::int64_t n : {96, 10000}) {
    EXPECT_LT(gemm_error_bound(Precision::Fp64, n), gemm_error_bound(Precision::Fp32, n));
    EXPECT_LT(gemm_error_bound(Precision::Fp32, n), gemm_error_bound(Precision::Tf32, n));
    EXPECT_LT(gemm_error_bound(Precision::Fp16, n), gemm_error_bound(Precision::Bf16, n));
    // Below the median error of a wrong entry, 1.27/sqrt(n) relative to sum |a b| (matmul_verify.cpp).
    EXPECT_LT(gemm_error_bound(Precision::Bf16, n), 1.27 / std::sqrt(static_cast<double>(n)));
  }
}

// inner = 0 leaves the GEMMs per repetition to the harness's calibrator (tested with model clocks
// in timing_test.cpp), aiming at kTargetRepetitionMs; inner > 0 fixes them.
TEST(MatmulParams, InnerFixesTheRepetitionOrLeavesItToTheTarget) {
  const Sizing calibrated = gemm_sizing({.n = 64, .precision = Precision::Fp32, .inner = 0});
  EXPECT_EQ(calibrated.target, std::chrono::milliseconds(25));
  EXPECT_EQ(calibrated.fixed, 0u);
  EXPECT_EQ(gemm_sizing({.n = 64, .precision = Precision::Fp32, .inner = 3}).fixed, 3u);
}

TEST(MatmulParams, BadValuesNameTheValidOnes) {
  Error e = expect_error([] { make_case("matmul_cpu", 96, "tf32"); });
  EXPECT_NE(std::string(e.what()).find("tf32"), std::string::npos);
  EXPECT_NE(e.fix().find("fp32, fp64"), std::string::npos) << e.fix();

  e = expect_error([] { make_case("matmul", 96, "fp64"); });
  EXPECT_NE(e.fix().find("fp32, tf32, fp16, bf16"), std::string::npos) << e.fix();
}

// The largest n the spec allows asks for more elements than a vector can hold (length_error, not
// bad_alloc): the same clear message, not "vector::_M_default_append".
TEST(MatmulCpu, AnImpossibleSizeSaysHowMuchMemoryItNeeds) {
#if SPARKBENCH_HAVE_OPENBLAS
  const Error e = expect_error([] { make_case("matmul_cpu", 2147483647, "fp64"); });
  EXPECT_NE(std::string(e.what()).find("could not be allocated"), std::string::npos) << e.what();
  EXPECT_EQ(e.fix(), "use a smaller n");
#else
  GTEST_SKIP() << "SKIPPED: built without OpenBLAS";
#endif
}

// n and inner are bounded in the specs, so a plan with n = 0 is refused before any case is made.
TEST(MatmulParams, OutOfRangeSizesAreRefusedWhenPlanned) {
  const auto plan = [](const std::string& workload, const std::string& param, const std::string& value) {
    return plan::expand(Registry::instance().get(workload), {{param, {value}}});
  };
  Error e = expect_error([&] { plan("matmul_cpu", "n", "0"); });
  EXPECT_NE(std::string(e.what()).find("parameter 'n' must be at least 1, got 0"), std::string::npos) << e.what();
  EXPECT_NE(e.fix().find("1 to 2147483647"), std::string::npos) << e.fix();
  e = expect_error([&] { plan("matmul", "n", "2147483648"); });
  EXPECT_NE(std::string(e.what()).find("at most 2147483647"), std::string::npos) << e.what();
  e = expect_error([&] { plan("matmul_cpu", "inner", "-1"); });
  EXPECT_NE(std::string(e.what()).find("parameter 'inner' must be at least 0"), std::string::npos) << e.what();
  EXPECT_EQ(plan("matmul", "n", "2147483647").front().params.str("n"), "2147483647");
}

TEST(MatmulRegistration, ParamsAndMetrics) {
  const Workload& gpu = Registry::instance().get("matmul");
  EXPECT_EQ(gpu.device, Device::Gpu);
  EXPECT_EQ(gpu.layer, "gpu-compute");
  EXPECT_EQ(find_param(gpu, "n").defaults, std::vector<std::string>{"10000"});
  EXPECT_EQ(find_param(gpu, "precision").defaults, (std::vector<std::string>{"fp32", "tf32", "fp16", "bf16"}));
  ASSERT_EQ(gpu.metrics.size(), 2u);
  EXPECT_EQ(gpu.metrics[0].name, "time_ms");
  EXPECT_EQ(gpu.metrics[1].name, "tflops");
  EXPECT_EQ(gpu.metrics[1].better, Better::Higher);

  const Workload& cpu = Registry::instance().get("matmul_cpu");
  EXPECT_EQ(cpu.device, Device::Cpu);
  EXPECT_EQ(cpu.layer, "cpu-compute");
  EXPECT_EQ(find_param(cpu, "precision").defaults, (std::vector<std::string>{"fp32", "fp64"}));
  ASSERT_EQ(cpu.metrics.size(), 2u);
  EXPECT_EQ(cpu.metrics[0].name, "time_ms");
  EXPECT_EQ(cpu.metrics[1].name, "gflops");
}

class MatmulCpu : public ::testing::TestWithParam<std::tuple<std::int64_t, std::string>> {};

TEST_P(MatmulCpu, VerifiesAndMeasures) {
#if !SPARKBENCH_HAVE_OPENBLAS
  GTEST_SKIP() << "built without OpenBLAS";
#endif
  const auto& [n, precision] = GetParam();
  auto run = make_case("matmul_cpu", n, precision);
  const test::Measured measured = test::measure(Registry::instance().get("matmul_cpu"), *run, 3);
  const nlohmann::json& info = measured.info;
  EXPECT_LE(info["max_relative_error"].get<double>(), info["error_bound"].get<double>());
  EXPECT_EQ(info["verified_entries"], 68);
  EXPECT_GE(info["operations_per_repetition"].get<std::int64_t>(), 1);
  EXPECT_GE(info["openblas_threads"].get<int>(), 1);
  EXPECT_FALSE(info["openblas_config"].get<std::string>().empty());
  for (const Measurement& m : measured.repetitions) {
    ASSERT_TRUE(std::isfinite(m.at("time_ms")) && m.at("time_ms") > 0);
    ASSERT_TRUE(std::isfinite(m.at("gflops")) && m.at("gflops") > 0);
    EXPECT_NEAR(m.at("gflops"), gemm_flops(n) / (m.at("time_ms") * 1e-3) / 1e9, 1e-9 * m.at("gflops"));
    // No assertion on the repetition's length: on a loaded machine calibration runs slow and later
    // repetitions fast. The sizing rule itself is tested with model clocks (timing_test.cpp).
  }
}

INSTANTIATE_TEST_SUITE_P(SizesAndPrecisions, MatmulCpu,
                         ::testing::Combine(::testing::Values(96, 130), ::testing::Values("fp32", "fp64")));

TEST(MatmulCpuInner, FixedInnerIsKept) {
#if !SPARKBENCH_HAVE_OPENBLAS
  GTEST_SKIP() << "built without OpenBLAS";
#endif
  const auto run = make_case("matmul_cpu", 64, "fp32", 3);
  const nlohmann::json info = test::measure(Registry::instance().get("matmul_cpu"), *run).info;
  EXPECT_EQ(info["operations_per_repetition"], 3);
  EXPECT_EQ(info["sizing"], "fixed by the case's parameters");
}

TEST(MatmulGpu, UnavailableWhereItCannotRun) {
#if !SPARKBENCH_HAVE_CUDA
  try {
    make_case("matmul", 1000, "fp32");
    FAIL() << "expected sb::Unavailable";
  } catch (const Unavailable& e) {
    EXPECT_NE(std::string(e.what()).find("rebuild with the CUDA toolkit"), std::string::npos) << e.what();
  }
#else
  if (gpu_presence().present) GTEST_SKIP() << "a CUDA device is present: tests/gpu covers matmul";
  try {
    make_case("matmul", 1000, "fp32");
    FAIL() << "expected sb::Unavailable";
  } catch (const Unavailable& e) {
    const std::string what = e.what();  // no device, or no driver at all
    EXPECT_TRUE(what.find("device") != std::string::npos || what.find("driver") != std::string::npos) << what;
  }
#endif
}

}  // namespace
}  // namespace sb::matmul
