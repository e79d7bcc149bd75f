#pragma once
// gpu_bandwidth: between the registration (always built) and its CUDA implementation.
#include <cstddef>
#include <memory>

#include "workload/workload.hpp"

namespace sb::gpu_bandwidth {

enum class Kernel { Memcpy, Copy, Triad };

struct Config {
  Kernel kernel = Kernel::Copy;
  std::size_t bytes_per_array = 0;  // a positive multiple of 1 MiB
};

// Defined in gpu_bandwidth_cuda.cpp (CUDA builds only).
std::unique_ptr<CaseRun> make_run(const Config& config, const CaseContext& context);

}  // namespace sb::gpu_bandwidth
