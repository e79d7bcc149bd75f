// stream_sync on CUDA: host-side wall time of synchronize calls that have nothing to wait for.
#include <cstdint>

#include <cuda_runtime_api.h>

#include "core/cuda_resources.hpp"
#include "core/cuda_status.hpp"
#include "workloads/stream_sync/stream_sync.hpp"

namespace sb::stream_sync {
namespace {

// Calls per repetition: 2-20 ms at 0.1-1 us a call.
constexpr std::uint64_t kCalls = 20000;

// One operation = one synchronize call, timed by the harness on the host clock; a fixed count per
// repetition.
class SyncRun final : public HostOperation {
 public:
  explicit SyncRun(Call call) : call_(call) {
    SB_CUDA_CHECK(cudaEventRecord(event_.get(), stream_.get()));
    SB_CUDA_CHECK(cudaStreamSynchronize(stream_.get()));
  }

  void batch(std::uint64_t n) override {
    if (call_ == Call::StreamSynchronize)
      for (std::uint64_t i = 0; i < n; ++i) SB_CUDA_CHECK(cudaStreamSynchronize(stream_.get()));
    else
      for (std::uint64_t i = 0; i < n; ++i) SB_CUDA_CHECK(cudaEventSynchronize(event_.get()));
  }
  Sizing sizing() const override { return {.fixed = kCalls}; }

  nlohmann::json info() const override {
    return {{"call", call_ == Call::StreamSynchronize ? "cudaStreamSynchronize (idle stream)"
                                                      : "cudaEventSynchronize (completed event)"}};
  }

 private:
  int device_ = cuda::usable_device();  // first: no device, nothing created
  Call call_;
  cuda::Stream stream_ = cuda::make_stream();
  cuda::Event event_ = cuda::make_event(cudaEventDisableTiming);
};

}  // namespace

std::unique_ptr<CaseRun> make_run(Call call) { return std::make_unique<SyncRun>(call); }

}  // namespace sb::stream_sync
