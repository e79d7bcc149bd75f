// gpu_alloc on CUDA: host-side wall time of allocate + release pairs.
#include <algorithm>
#include <chrono>
#include <cstdint>

#include <cuda_runtime_api.h>

#include "core/cuda_resources.hpp"
#include "core/cuda_status.hpp"
#include "core/calibrate.hpp"
#include "workloads/gpu_alloc/gpu_alloc.hpp"

namespace sb::gpu_alloc {
namespace {

// Bounds the pairs of a repetition where a pair takes microseconds (malloc_async from the pool).
constexpr std::uint64_t kMaxPairs = 10000;

const char* api_name(Api api) {
  switch (api) {
    case Api::Malloc: return "cudaMalloc + cudaFree";
    case Api::MallocAsync: return "cudaMallocAsync + cudaFreeAsync";
    case Api::HostAlloc: return "cudaHostAlloc + cudaFreeHost";
  }
  return "?";
}

class AllocRun final : public ProgramCase {
 public:
  explicit AllocRun(const Config& config) : config_(config) {
    if (config_.api == Api::MallocAsync) {
      int supported = 0;
      SB_CUDA_CHECK(cudaDeviceGetAttribute(&supported, cudaDevAttrMemoryPoolsSupported, device_));
      if (!supported) throw Unavailable("this GPU or driver has no stream-ordered memory pools (cudaMallocAsync)");
      cudaMemPool_t pool = nullptr;
      SB_CUDA_CHECK(cudaDeviceGetDefaultMemPool(&pool, device_));
      SB_CUDA_CHECK(cudaMemPoolGetAttribute(pool, cudaMemPoolAttrReleaseThreshold, &release_threshold_));
    }
    pairs_ = static_cast<int>(std::min<std::uint64_t>(
        calibrate_iterations([this](std::uint64_t n) { run_pairs(static_cast<int>(n)); },
                             std::chrono::milliseconds(20)),
        kMaxPairs));
  }

  Measurement run() override {
    const auto start = std::chrono::steady_clock::now();
    run_pairs(pairs_);
    const std::chrono::duration<double, std::micro> elapsed = std::chrono::steady_clock::now() - start;
    return {{"latency_us", elapsed.count() / pairs_}};
  }

  nlohmann::json info() const override {
    nlohmann::json j{{"api", api_name(config_.api)},
                     {"bytes_per_allocation", config_.bytes},
                     {"pairs_per_repetition", pairs_},
                     {"timer", "steady_clock around all pairs of a repetition (malloc_async: plus the final "
                               "cudaStreamSynchronize)"}};
    if (config_.api == Api::MallocAsync) j["pool_release_threshold_bytes"] = release_threshold_;
    return j;
  }

 private:
  void run_pairs(int pairs) {
    const cudaStream_t stream = stream_.get();
    void* p = nullptr;
    for (int i = 0; i < pairs; ++i) {
      switch (config_.api) {
        case Api::Malloc:
          SB_CUDA_CHECK(cudaMalloc(&p, config_.bytes));
          SB_CUDA_CHECK(cudaFree(p));
          break;
        case Api::MallocAsync:
          SB_CUDA_CHECK(cudaMallocAsync(&p, config_.bytes, stream));
          SB_CUDA_CHECK(cudaFreeAsync(p, stream));
          break;
        case Api::HostAlloc:
          SB_CUDA_CHECK(cudaHostAlloc(&p, config_.bytes, cudaHostAllocDefault));
          SB_CUDA_CHECK(cudaFreeHost(p));
          break;
      }
    }
    if (config_.api == Api::MallocAsync) SB_CUDA_CHECK(cudaStreamSynchronize(stream));
  }

  int device_ = cuda::usable_device();  // first: no device, nothing created
  Config config_;
  cuda::Stream stream_ = cuda::make_stream();
  std::uint64_t release_threshold_ = 0;
  int pairs_ = 1;
};

}  // namespace

std::unique_ptr<CaseRun> make_run(const Config& config) { return std::make_unique<AllocRun>(config); }

}  // namespace sb::gpu_alloc
