#pragma once
// cuda_init: between the registration (always built) and its CUDA implementation.
#include <memory>

#include "workload/workload.hpp"

namespace sb::cuda_init {

enum class What { Context, CublasHandle };

// Defined in cuda_init_cuda.cpp (CUDA builds only).
std::unique_ptr<CaseRun> make_run(What what);

}  // namespace sb::cuda_init
