#pragma once
// Timing work on a GPU stream: CUDA events measure when the GPU started and finished the work
// enqueued between them, free of host scheduling noise. (Host-side costs such as launch overhead
// are timed with std::chrono::steady_clock instead, by the workloads that measure them.)
#include <cuda_runtime_api.h>

#include "core/cuda_resources.hpp"
#include "core/cuda_status.hpp"

namespace sb::cuda {

class StreamTimer {
 public:
  explicit StreamTimer(cudaStream_t stream) : stream_(stream), start_(make_event()), stop_(make_event()) {}
  void start() { SB_CUDA_CHECK(cudaEventRecord(start_.get(), stream_)); }
  // Records the stop event, waits for it, and returns the milliseconds since start().
  double stop_ms() {
    SB_CUDA_CHECK(cudaEventRecord(stop_.get(), stream_));
    SB_CUDA_CHECK(cudaEventSynchronize(stop_.get()));
    float ms = 0;
    SB_CUDA_CHECK(cudaEventElapsedTime(&ms, start_.get(), stop_.get()));
    return ms;
  }

 private:
  cudaStream_t stream_;
  Event start_;
  Event stop_;
};

}  // namespace sb::cuda
