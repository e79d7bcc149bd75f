// gpu_bandwidth on CUDA: arrays in device memory, one operation = one pass over the arrays.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <string_view>
#include <vector>

#include <cuda_runtime_api.h>
#include <fmt/format.h>

#include "core/counter_random.hpp"
#include "core/cuda_resources.hpp"
#include "core/cuda_status.hpp"
#include "core/error.hpp"
#include "workloads/gpu_bandwidth/gpu_bandwidth.hpp"
#include "workloads/gpu_bandwidth/gpu_bandwidth_kernels.hpp"

namespace sb::gpu_bandwidth {
namespace {

constexpr float kTriadScalar = 3.0f;
// Inputs are generated and results checked through a host buffer of this many floats (16 MiB),
// so that checking a 1 GiB array needs no 1 GiB host copy.
constexpr std::size_t kChunk = std::size_t{4} << 20;

std::string_view kernel_name(Kernel k) {
  switch (k) {
    case Kernel::Memcpy: return "memcpy";
    case Kernel::Copy: return "copy";
    case Kernel::Triad: return "triad";
  }
  return "?";
}

void upload_random(float* device, std::size_t count, std::uint64_t seed) {
  std::vector<float> chunk(std::min(count, kChunk));
  for (std::size_t first = 0; first < count; first += chunk.size()) {
    const std::size_t n = std::min(chunk.size(), count - first);
    for (std::size_t i = 0; i < n; ++i) chunk[i] = random_float(seed, first + i);
    SB_CUDA_CHECK(cudaMemcpy(device + first, chunk.data(), n * sizeof(float), cudaMemcpyHostToDevice));
  }
}

// Throws sb::Error unless device[i] == expected(i) exactly for every i < count.
template <class Expected>
void verify(const float* device, std::size_t count, Expected expected, std::string_view kernel) {
  std::vector<float> chunk(std::min(count, kChunk));
  for (std::size_t first = 0; first < count; first += chunk.size()) {
    const std::size_t n = std::min(chunk.size(), count - first);
    SB_CUDA_CHECK(cudaMemcpy(chunk.data(), device + first, n * sizeof(float), cudaMemcpyDeviceToHost));
    for (std::size_t i = 0; i < n; ++i) {
      const float want = expected(first + i);
      if (chunk[i] != want)
        throw Error(fmt::format("gpu_bandwidth {}: element {} is {} on the GPU but {} in the CPU reference",
                                kernel, first + i, chunk[i], want),
                    "the GPU returned wrong data: check `nvidia-smi -q -d ECC,PAGE_RETIREMENT` and the "
                    "kernel log (dmesg, Xid errors) before trusting any benchmark on this GPU",
                    kExitFailure);
    }
  }
}

// One operation = one pass over the arrays, enqueued on stream_; the harness times them with events.
class BandwidthRun final : public DeviceOperation {
 public:
  BandwidthRun(const Config& config, const CaseContext& context)
      : config_(config), count_(config.bytes_per_array / sizeof(float)) {
    SB_CUDA_CHECK(cudaGetDeviceProperties(&prop_, device_));
    dst_ = cuda::device_array<float>(count_);
    src_ = cuda::device_array<float>(count_);
    const std::uint64_t seed_b = context.seed;
    const std::uint64_t seed_c = context.seed + 1;
    upload_random(src_.get(), count_, seed_b);
    if (config_.kernel == Kernel::Triad) {
      src2_ = cuda::device_array<float>(count_);
      upload_random(src2_.get(), count_, seed_c);
    }
    // A cleared destination: a result left there by an earlier case cannot pass the check.
    SB_CUDA_CHECK(cudaMemset(dst_.get(), 0, config_.bytes_per_array));
    // The uploads and the memset ran on the legacy stream (a pageable cudaMemcpy returns before its
    // DMA ends), which stream_ does not wait for.
    SB_CUDA_CHECK(cudaDeviceSynchronize());
    enqueue_one();
    SB_CUDA_CHECK(cudaStreamSynchronize(stream_.get()));
    if (config_.kernel == Kernel::Triad)
      verify(dst_.get(), count_,
             [&](std::size_t i) { return std::fma(kTriadScalar, random_float(seed_c, i), random_float(seed_b, i)); },
             kernel_name(config_.kernel));
    else
      verify(dst_.get(), count_, [&](std::size_t i) { return random_float(seed_b, i); }, kernel_name(config_.kernel));
  }

  CUstream_st* stream() const override { return stream_.get(); }
  void enqueue(std::uint64_t n) override {
    for (std::uint64_t i = 0; i < n; ++i) enqueue_one();
  }
  OperationCost cost() const override { return {.bytes = static_cast<double>(bytes_per_operation())}; }
  // About 20 ms a repetition, at most 1000 passes.
  Sizing sizing() const override { return {.target = std::chrono::milliseconds(20), .max_operations = 1000}; }

  nlohmann::json info() const override {
    nlohmann::json j{{"device", prop_.name},
                     {"kernel", kernel_name(config_.kernel)},
                     {"bytes_per_array", config_.bytes_per_array},
                     {"bytes_per_operation", bytes_per_operation()},
                     {"l2_cache_bytes", prop_.l2CacheSize},
                     {"verification", fmt::format("all {} result elements equal the CPU reference", count_)},
                     {"ceiling", "compare with the device copy measured by torch on the same machine"}};
    if (config_.kernel != Kernel::Memcpy) {
      j["grid"] = grid_for(count_);
      j["block"] = kBlockSize;
    }
    if (config_.bytes_per_array < 4 * static_cast<std::size_t>(prop_.l2CacheSize))
      j["warning"] = "arrays are smaller than 4x the L2 cache: this measures the cache, not device memory";
    return j;
  }

 private:
  std::size_t bytes_per_operation() const {
    return config_.bytes_per_array * (config_.kernel == Kernel::Triad ? 3 : 2);
  }

  void enqueue_one() {
    switch (config_.kernel) {
      case Kernel::Memcpy:
        SB_CUDA_CHECK(cudaMemcpyAsync(dst_.get(), src_.get(), config_.bytes_per_array, cudaMemcpyDeviceToDevice,
                                      stream_.get()));
        break;
      case Kernel::Copy:
        SB_CUDA_CHECK(launch_copy(src_.get(), dst_.get(), count_, stream_.get()));
        break;
      case Kernel::Triad:
        SB_CUDA_CHECK(launch_triad(dst_.get(), src_.get(), src2_.get(), kTriadScalar, count_, stream_.get()));
        break;
    }
  }

  int device_ = cuda::usable_device();  // first: no device, nothing created
  Config config_;
  std::size_t count_;
  cudaDeviceProp prop_{};
  cuda::Stream stream_ = cuda::make_stream();
  cuda::DeviceArray<float> dst_, src_, src2_;
};

}  // namespace

std::unique_ptr<CaseRun> make_run(const Config& config, const CaseContext& context) {
  return std::make_unique<BandwidthRun>(config, context);
}

}  // namespace sb::gpu_bandwidth
