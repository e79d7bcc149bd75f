#pragma once
// unified_memory: between the registration (always built) and its CUDA implementation.
#include <cstddef>
#include <memory>

#include "workload/workload.hpp"

namespace sb::unified_memory {

enum class Mode { FirstTouch, Prefetch };

struct Config {
  Mode mode = Mode::FirstTouch;
  std::size_t bytes = 0;  // requested; a positive multiple of 1 MiB, capped at run time
};

// Defined in unified_memory_cuda.cpp (CUDA builds only).
std::unique_ptr<CaseRun> make_run(const Config& config, const CaseContext& context);

}  // namespace sb::unified_memory
