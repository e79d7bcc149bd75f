// The `matmul_cpu` workload: an n x n x n GEMM through OpenBLAS, so that the native-vs-container
// path has a compute-bound case on machines without a GPU.
#include <cstdint>
#include <type_traits>
#include <limits>
#include <exception>
#include <vector>

#include <fmt/format.h>

#include "core/error.hpp"
#include "workload/workload.hpp"
#include "workloads/matmul/matmul_inputs.hpp"
#include "workloads/matmul/matmul_params.hpp"
#include "workloads/matmul/matmul_verify.hpp"

#if SPARKBENCH_HAVE_OPENBLAS
#include <cblas.h>
#endif

namespace sb::matmul {
namespace {

constexpr Precision kCpuPrecisions[] = {Precision::Fp32, Precision::Fp64};

#if SPARKBENCH_HAVE_OPENBLAS

// Row-major A, B, C of type T (float or double), inputs from the shared generator. One operation =
// one GEMM; the harness times them on the host clock.
template <class T>
class CpuGemmCase final : public HostOperation {
 public:
  CpuGemmCase(const GemmParams& params, const CaseContext& context) : params_(params) {
    const auto count = static_cast<std::size_t>(params.n) * static_cast<std::size_t>(params.n);
    try {
      a_.resize(count);
      b_.resize(count);
      // NaN everywhere: an entry the GEMM did not write fails the check.
      c_.assign(count, std::numeric_limits<T>::quiet_NaN());
    } catch (const std::exception&) {  // bad_alloc, or length_error beyond what a vector can hold
      throw Error(fmt::format("matmul_cpu: n = {} needs 3 x {:.2f} GiB of memory, which could not be allocated",
                              params.n, static_cast<double>(count * sizeof(T)) / (1 << 30)),
                  "use a smaller n");
    }
    const std::uint64_t key_a = input_key(context.seed, InputMatrix::A);
    const std::uint64_t key_b = input_key(context.seed, InputMatrix::B);
    for (std::size_t index = 0; index < count; ++index) {
      a_[index] = input_value(key_a, index);
      b_[index] = input_value(key_b, index);
    }

    gemm();  // also the warm-up: OpenBLAS starts its threads here
    verify(context.seed);
  }

  void batch(std::uint64_t n) override {
    for (std::uint64_t k = 0; k < n; ++k) gemm();
  }
  OperationCost cost() const override { return {.flops = gemm_flops(params_.n)}; }
  Sizing sizing() const override { return gemm_sizing(params_); }

  nlohmann::json info() const override {
    return {
        {"api", std::is_same_v<T, float> ? "cblas_sgemm" : "cblas_dgemm"},
        {"openblas_config", openblas_get_config()},
        {"openblas_threads", openblas_get_num_threads()},
        {"verified_entries", verified_entries_},
        {"max_relative_error", check_.max_error},
        {"error_bound", check_.bound},
    };
  }

 private:
  void gemm() {
    const int n = static_cast<int>(params_.n);
    if constexpr (std::is_same_v<T, float>)
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a_.data(), n, b_.data(), n, 0.0f,
                  c_.data(), n);
    else
      cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0, a_.data(), n, b_.data(), n, 0.0,
                  c_.data(), n);
  }

  void verify(std::uint64_t seed) {
    std::vector<SampledValue> samples;
    for (const Entry& e : sample_entries(params_.n, seed))
      samples.push_back({e, static_cast<double>(c_[static_cast<std::size_t>(e.i * params_.n + e.j)])});
    // The inputs are the generator's floats, stored exactly in T.
    auto input = [this](InputMatrix m, std::int64_t index) {
      return static_cast<double>((m == InputMatrix::A ? a_ : b_)[static_cast<std::size_t>(index)]);
    };
    check_ = check_gemm_samples(samples, params_.n, input, gemm_error_bound(params_.precision, params_.n));
    verified_entries_ = samples.size();
    require_passed(check_, fmt::format("matmul_cpu n={} {}", params_.n, to_string(params_.precision)));
  }

  GemmParams params_;
  std::vector<T> a_, b_, c_;
  GemmCheck check_;
  std::size_t verified_entries_ = 0;
};

#endif  // SPARKBENCH_HAVE_OPENBLAS

std::unique_ptr<CaseRun> make_matmul_cpu(const Params& params, const CaseContext& context) {
  const GemmParams gemm = read_gemm_params("matmul_cpu", params, kCpuPrecisions);
#if SPARKBENCH_HAVE_OPENBLAS
  if (gemm.precision == Precision::Fp32) return std::make_unique<CpuGemmCase<float>>(gemm, context);
  return std::make_unique<CpuGemmCase<double>>(gemm, context);
#else
  (void)gemm;
  (void)context;
  throw Unavailable("this sparkbench was built without OpenBLAS; install libopenblas-dev and rebuild");
#endif
}

}  // namespace

SB_REGISTER_WORKLOAD(matmul_cpu, Workload{
    .name = "matmul_cpu",
    .help = "n x n x n GEMM with OpenBLAS (cblas_sgemm / cblas_dgemm) on the CPU",
    .device = Device::Cpu,
    .layer = "cpu-compute",
    .params = gemm_param_specs(2048, kCpuPrecisions),
    .metrics = {{.name = "time_ms", .unit = "ms", .better = Better::Lower, .help = "time of one GEMM",
                 .derived = Derived::Time},
                {.name = "gflops", .unit = "GFLOP/s", .better = Better::Higher, .help = "2 n^3 / time_ms",
                 .derived = Derived::Flops}},
    .make = make_matmul_cpu,
});

}  // namespace sb::matmul
