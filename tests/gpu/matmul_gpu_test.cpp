// The GPU matmul on a real device, measured as the runner measures it: every precision verifies
// against the CPU reference and runs at a plausible rate; the harness's calibrated GEMM count gives
// repetitions of about the 25 ms target.
#include <cmath>
#include <cstddef>
#include <string>
#include <tuple>

#include <gtest/gtest.h>

#include "../test_support.hpp"

#include "workload/workload.hpp"

#if SPARKBENCH_HAVE_CUDA
#include "core/gpu_presence.hpp"
#endif

namespace sb {
namespace {

class MatmulGpu : public ::testing::TestWithParam<std::tuple<int, std::string>> {
 protected:
  void SetUp() override {
#if !SPARKBENCH_HAVE_CUDA
    GTEST_SKIP() << "built without CUDA: GPU matmul not tested";
#else
    if (const GpuPresence& gpu = gpu_presence(); !gpu.present)
      GTEST_SKIP() << "no usable CUDA device (" << gpu.reason << "): GPU matmul not tested";
#endif
  }
};

TEST_P(MatmulGpu, VerifiesAndRunsAtAPlausibleRate) {
  const auto& [n, precision] = GetParam();
  Params params({{"n", std::to_string(n)}, {"precision", precision}, {"inner", "0"}});
  const Workload& w = Registry::instance().get("matmul");
  auto run = w.make(params, CaseContext{.seed = 1234});
  const test::Measured measured = test::measure(w, *run, 4);
  const nlohmann::json& info = measured.info;
  EXPECT_LE(info["max_relative_error"].get<double>(), info["error_bound"].get<double>());
  EXPECT_EQ(info["verified_entries"], 68);
  const double inner = info["operations_per_repetition"].get<double>();
  for (int rep = 0; rep < 3; ++rep) {
    const Measurement& m = measured.repetitions[static_cast<std::size_t>(rep)];
    ASSERT_TRUE(std::isfinite(m.at("time_ms")) && m.at("time_ms") > 0);
    // Plausible: above what any CUDA GPU of this decade does at these sizes at worst, below the
    // dense peak of any GPU yet made (B200: ~2.3 PFLOP/s dense fp16).
    EXPECT_GT(m.at("tflops"), n >= 4096 ? 1.0 : 0.1) << precision << " n=" << n;
    EXPECT_LT(m.at("tflops"), 3000.0) << precision << " n=" << n;
    // The calibrator keeps a count whose confirming run lasted at least half the target.
    EXPECT_GE(m.at("time_ms") * inner, 12.5) << "operations_per_repetition = " << inner;
  }
  RecordProperty("info", info.dump());
  std::printf("matmul n=%d %s: %.3f TFLOP/s, inner %g, max rel. error %.3g (bound %.3g), %s\n", n, precision.c_str(),
              measured.repetitions.back().at("tflops"), inner, info["max_relative_error"].get<double>(),
              info["error_bound"].get<double>(), info["device"].get<std::string>().c_str());
}

INSTANTIATE_TEST_SUITE_P(SizesAndPrecisions, MatmulGpu,
                         ::testing::Combine(::testing::Values(1000, 4096),
                                            ::testing::Values("fp32", "tf32", "fp16", "bf16")),
                         [](const auto& info) {
                           return std::get<1>(info.param) + "_n" + std::to_string(std::get<0>(info.param));
                         });

}  // namespace
}  // namespace sb
