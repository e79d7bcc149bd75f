// unified_memory on CUDA: a managed buffer written by the host, then read by the GPU.
#include <algorithm>
#include <cstdint>

#include <cuda_runtime_api.h>
#include <fmt/format.h>

#include "core/counter_random.hpp"
#include "core/cuda_resources.hpp"
#include "core/cuda_status.hpp"
#include "core/cuda_timing.hpp"
#include "core/error.hpp"
#include "workloads/unified_memory/unified_memory.hpp"
#include "workloads/unified_memory/unified_memory_kernels.hpp"

namespace sb::unified_memory {
namespace {

constexpr std::size_t kMiB = std::size_t{1} << 20;

// ProgramCase: a repetition is one migration of freshly written pages, checked after the clock stops.
class ManagedRun final : public ProgramCase {
 public:
  ManagedRun(const Config& config, const CaseContext& context) : config_(config), seed_(context.seed) {
    SB_CUDA_CHECK(cudaGetDeviceProperties(&prop_, device_));
    if (!prop_.managedMemory) throw Unavailable("this GPU cannot allocate managed memory (managedMemory = 0)");
    if (config_.mode == Mode::Prefetch && !prop_.concurrentManagedAccess)
      throw Unavailable("this GPU cannot prefetch managed memory (concurrentManagedAccess = 0)");
    std::size_t total = 0;
    SB_CUDA_CHECK(cudaMemGetInfo(&free_at_start_, &total));
    // Never more than a quarter of free device memory: oversubscribed managed memory can stall
    // the whole GPU, not only this process.
    bytes_ = std::min(config_.bytes, free_at_start_ / 4 / kMiB * kMiB);
    if (bytes_ == 0) throw Unavailable("less than 4 MiB of device memory is free for a managed buffer");
    words_ = bytes_ / sizeof(std::uint32_t);
    buffer_ = cuda::managed_array<std::uint32_t>(words_);
    sum_ = cuda::device_array<unsigned long long>(1);
    grid_ = prop_.multiProcessorCount * std::max(1, prop_.maxThreadsPerMultiProcessor / kSumBlockSize);
  }

  // Not timed: the host writes every word, so that every page is on the host again and the data
  // are new; then timed: (prefetch +) the kernel; then the checksum is compared with the host's.
  Measurement run() override {
    const std::uint64_t seed = seed_ + repetition_++;
    unsigned long long expected = 0;
    std::uint32_t* words = buffer_.get();
    for (std::size_t i = 0; i < words_; ++i) {
      words[i] = static_cast<std::uint32_t>(random_word(seed, i));
      expected += words[i];
    }
    const cudaStream_t stream = stream_.get();
    SB_CUDA_CHECK(cudaMemsetAsync(sum_.get(), 0, sizeof(unsigned long long), stream));
    timer_.start();
    if (config_.mode == Mode::Prefetch) {
      const cudaMemLocation to_device{.type = cudaMemLocationTypeDevice, .id = device_};
      SB_CUDA_CHECK(cudaMemPrefetchAsync(words, bytes_, to_device, 0, stream));
    }
    SB_CUDA_CHECK(launch_sum_words(words, words_, sum_.get(), grid_, stream));
    const double ms = timer_.stop_ms();
    unsigned long long got = 0;
    SB_CUDA_CHECK(cudaMemcpy(&got, sum_.get(), sizeof got, cudaMemcpyDeviceToHost));
    if (got != expected)
      throw Error(fmt::format("unified_memory: the GPU's checksum of the managed buffer is {}, the host's is {}",
                              got, expected),
                  "the GPU read stale or wrong data from managed memory: check the kernel log (dmesg: "
                  "Xid, HMM or IOMMU faults) and `nvidia-smi -q` before trusting benchmarks here",
                  kExitFailure);
    return {{"bandwidth_gbs", static_cast<double>(bytes_) / (ms * 1e-3) / 1e9}, {"time_ms", ms}};
  }

  nlohmann::json info() const override {
    return {{"device", prop_.name},
            {"mode", config_.mode == Mode::FirstTouch ? "first_touch" : "prefetch"},
            {"bytes_requested", config_.bytes},
            {"bytes", bytes_},
            {"capped_at_quarter_of_free_memory", bytes_ < config_.bytes},
            {"free_device_bytes_at_start", free_at_start_},
            {"integrated_gpu", prop_.integrated != 0},
            {"concurrent_managed_access", prop_.concurrentManagedAccess != 0},
            {"pageable_memory_access", prop_.pageableMemoryAccess != 0},
            {"pageable_memory_access_uses_host_page_tables", prop_.pageableMemoryAccessUsesHostPageTables != 0},
            {"direct_managed_mem_access_from_host", prop_.directManagedMemAccessFromHost != 0},
            {"host_native_atomics", prop_.hostNativeAtomicSupported != 0},
            {"grid", grid_},
            {"timer", config_.mode == Mode::FirstTouch ? "CUDA events around the kernel"
                                                       : "CUDA events around cudaMemPrefetchAsync + the kernel"},
            {"verification", "every repetition: the GPU's 64-bit sum of all words equals the host's"}};
  }

 private:
  int device_ = cuda::usable_device();  // first: no device, nothing created
  Config config_;
  std::uint64_t seed_;
  cudaDeviceProp prop_{};
  std::size_t free_at_start_ = 0;
  std::size_t bytes_ = 0;
  std::size_t words_ = 0;
  int grid_ = 1;
  std::uint64_t repetition_ = 0;
  cuda::Stream stream_ = cuda::make_stream();
  cuda::StreamTimer timer_{stream_.get()};
  cuda::DeviceArray<std::uint32_t> buffer_;
  cuda::DeviceArray<unsigned long long> sum_;
};

}  // namespace

std::unique_ptr<CaseRun> make_run(const Config& config, const CaseContext& context) {
  return std::make_unique<ManagedRun>(config, context);
}

}  // namespace sb::unified_memory
