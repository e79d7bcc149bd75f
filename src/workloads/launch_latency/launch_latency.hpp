#pragma once
// launch_latency: between the registration (always built) and its CUDA implementation.
#include <memory>

#include "workload/workload.hpp"

namespace sb::launch_latency {

enum class Mode { Stream, Graph };
enum class Sync { None, Each };

struct Config {
  Mode mode = Mode::Stream;
  Sync sync = Sync::None;
};

// Defined in launch_latency_cuda.cpp (CUDA builds only).
std::unique_ptr<CaseRun> make_run(const Config& config);

}  // namespace sb::launch_latency
