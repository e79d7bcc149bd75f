// DeviceTimer with CUDA events: they measure when the GPU started and finished the work enqueued
// between them, free of host scheduling noise (about 0.5 us resolution).
#include <cuda_runtime_api.h>

#include "core/cuda_resources.hpp"
#include "core/cuda_status.hpp"
#include "runner/timing.hpp"

namespace sb::runner {

struct DeviceTimer::Events {
  cuda::Event start = cuda::make_event();
  cuda::Event stop = cuda::make_event();
};

DeviceTimer::DeviceTimer(CUstream_st* stream) : events_(std::make_unique<Events>()), stream_(stream) {}
DeviceTimer::~DeviceTimer() = default;

double DeviceTimer::seconds(DeviceOperation& op, std::uint64_t n) {
  SB_CUDA_CHECK(cudaEventRecord(events_->start.get(), stream_));
  op.enqueue(n);
  SB_CUDA_CHECK(cudaEventRecord(events_->stop.get(), stream_));
  SB_CUDA_CHECK(cudaEventSynchronize(events_->stop.get()));
  float ms = 0;
  SB_CUDA_CHECK(cudaEventElapsedTime(&ms, events_->start.get(), events_->stop.get()));
  return ms * 1e-3;
}

}  // namespace sb::runner
