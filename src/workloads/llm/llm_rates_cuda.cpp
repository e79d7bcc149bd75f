#include "workloads/llm/llm_rates.hpp"

#include <map>
#include <mutex>
#include <vector>

#include "core/cuda_status.hpp"
#include "runner/timing.hpp"
#include "stats/stats.hpp"
#include "workloads/gpu_bandwidth/gpu_bandwidth.hpp"
#include "workloads/matmul/matmul_gpu.hpp"

namespace sb::llm_workload {
namespace {

constexpr int kWarmup = 2;
constexpr int kRepetitions = 7;
constexpr std::size_t kCopyBytes = std::size_t{1} << 30;  // far beyond any L2 cache
constexpr std::int64_t kGemmN = 8192;

struct Rate {
  double median = 0;
  nlohmann::json info;
};

// `metric` of `run`, timed by the harness as the runner times the workload, after kWarmup discarded
// repetitions: the median of kRepetitions, with the values.
Rate median_rate(CaseRun& run, const char* workload, const char* metric) {
  runner::CaseTimer timer(run, Registry::instance().get(workload).metrics);
  for (int i = 0; i < kWarmup; ++i) (void)timer.repetition();
  std::vector<double> values;
  for (int i = 0; i < kRepetitions; ++i) values.push_back(timer.repetition().at(metric));
  nlohmann::json info = run.info();
  info.update(timer.info());
  return {stats::median(values),
          {{"metric", metric}, {"warmup", kWarmup}, {"values", values}, {"median", stats::median(values)},
           {"case", std::move(info)}}};
}

MeasuredRates measure(const CaseContext& context) {
  // One after the other, each freed before the next: neither takes memory from the other.
  const Rate copy = [&] {
    const auto run = gpu_bandwidth::make_run({.kernel = gpu_bandwidth::Kernel::Memcpy, .bytes_per_array = kCopyBytes},
                                             context);
    return median_rate(*run, "gpu_bandwidth", "bandwidth_gbs");
  }();
  const Rate gemm = [&] {
    const auto run = matmul::make_gpu_gemm_case({.n = kGemmN, .precision = matmul::Precision::Bf16, .inner = 0}, context);
    return median_rate(*run, "matmul", "tflops");
  }();
  return {.rates = {.copy_bytes_per_s = copy.median * 1e9, .bf16_gemm_flops_per_s = gemm.median * 1e12},
          .info = {{"copy_bandwidth_gbs", copy.median},
                   {"copy_bandwidth_rule", "gpu_bandwidth kernel=memcpy size_mib=1024: cudaMemcpyAsync device to "
                                           "device, bytes read + written per second, CUDA events"},
                   {"copy_bandwidth_measurement", copy.info},
                   {"bf16_gemm_tflops", gemm.median},
                   {"bf16_gemm_rule", "matmul n=8192 precision=bf16: cublasGemmEx, fp32 compute, 2 n^3 / time, CUDA "
                                      "events"},
                   {"bf16_gemm_measurement", gemm.info}}};
}

}  // namespace

const MeasuredRates& measured_rates(const CaseContext& context) {
  static std::mutex mutex;
  static std::map<std::pair<int, std::uint64_t>, MeasuredRates> by_device_and_seed;
  const std::lock_guard lock(mutex);
  const auto key = std::make_pair(cuda::usable_device(), context.seed);
  auto it = by_device_and_seed.find(key);
  if (it == by_device_and_seed.end()) it = by_device_and_seed.emplace(key, measure(context)).first;
  return it->second;
}

}  // namespace sb::llm_workload
