// gpu_alloc on CUDA: host-side wall time of allocate + release pairs.
#include <chrono>
#include <cstdint>

#include <cuda_runtime_api.h>

#include "core/cuda_resources.hpp"
#include "core/cuda_status.hpp"
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

// One operation = one allocation + release pair, timed by the harness on the host clock.
class AllocRun final : public HostOperation {
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
  }

  // n pairs (malloc_async: then the stream's synchronize, which is part of the time).
  void batch(std::uint64_t n) override {
    const cudaStream_t stream = stream_.get();
    void* p = nullptr;
    for (std::uint64_t i = 0; i < n; ++i) {
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
  Sizing sizing() const override { return {.target = std::chrono::milliseconds(20), .max_operations = kMaxPairs}; }

  nlohmann::json info() const override {
    nlohmann::json j{{"api", api_name(config_.api)}, {"bytes_per_allocation", config_.bytes}};
    if (config_.api == Api::MallocAsync) {
      j["pool_release_threshold_bytes"] = release_threshold_;
      j["final_synchronize"] = "one cudaStreamSynchronize after a repetition's pairs, inside the clock";
    }
    return j;
  }

 private:
  int device_ = cuda::usable_device();  // first: no device, nothing created
  Config config_;
  cuda::Stream stream_ = cuda::make_stream();
  std::uint64_t release_threshold_ = 0;
};

}  // namespace

std::unique_ptr<CaseRun> make_run(const Config& config) { return std::make_unique<AllocRun>(config); }

}  // namespace sb::gpu_alloc
