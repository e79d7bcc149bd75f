#pragma once
// stream_sync: between the registration (always built) and its CUDA implementation.
#include <memory>

#include "workload/workload.hpp"

namespace sb::stream_sync {

enum class Call { StreamSynchronize, EventSynchronize };

// Defined in stream_sync_cuda.cpp (CUDA builds only).
std::unique_ptr<CaseRun> make_run(Call call);

}  // namespace sb::stream_sync
