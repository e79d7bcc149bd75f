// stream_sync on CUDA: host-side wall time of synchronize calls that have nothing to wait for.
#include <chrono>

#include <cuda_runtime_api.h>

#include "core/cuda_resources.hpp"
#include "core/cuda_status.hpp"
#include "workloads/stream_sync/stream_sync.hpp"

namespace sb::stream_sync {
namespace {

// Calls per repetition: 2-20 ms at 0.1-1 us a call.
constexpr int kCalls = 20000;

class SyncRun final : public ProgramCase {
 public:
  explicit SyncRun(Call call) : call_(call) {
    SB_CUDA_CHECK(cudaEventRecord(event_.get(), stream_.get()));
    SB_CUDA_CHECK(cudaStreamSynchronize(stream_.get()));
  }

  Measurement run() override {
    const auto start = std::chrono::steady_clock::now();
    if (call_ == Call::StreamSynchronize)
      for (int i = 0; i < kCalls; ++i) SB_CUDA_CHECK(cudaStreamSynchronize(stream_.get()));
    else
      for (int i = 0; i < kCalls; ++i) SB_CUDA_CHECK(cudaEventSynchronize(event_.get()));
    const std::chrono::duration<double, std::micro> elapsed = std::chrono::steady_clock::now() - start;
    return {{"latency_us", elapsed.count() / kCalls}};
  }

  nlohmann::json info() const override {
    return {{"call", call_ == Call::StreamSynchronize ? "cudaStreamSynchronize (idle stream)"
                                                      : "cudaEventSynchronize (completed event)"},
            {"calls_per_repetition", kCalls},
            {"timer", "steady_clock around all calls of a repetition"}};
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
