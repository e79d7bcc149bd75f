#pragma once
// gpu_alloc: between the registration (always built) and its CUDA implementation.
#include <cstddef>
#include <memory>

#include "workload/workload.hpp"

namespace sb::gpu_alloc {

enum class Api { Malloc, MallocAsync, HostAlloc };

struct Config {
  Api api = Api::Malloc;
  std::size_t bytes = 0;  // a positive multiple of 1 MiB
};

// Defined in gpu_alloc_cuda.cpp (CUDA builds only).
std::unique_ptr<CaseRun> make_run(const Config& config);

}  // namespace sb::gpu_alloc
