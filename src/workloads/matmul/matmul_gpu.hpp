#pragma once
// The GPU matmul case. The registration (matmul_gpu.cpp) is in every build; the case itself
// (matmul_gpu_cuda.cpp) only in CUDA builds.
#include <array>
#include <memory>

#include "workload/workload.hpp"
#include "workloads/matmul/matmul_params.hpp"

namespace sb::matmul {

inline constexpr std::array kGpuPrecisions = {Precision::Fp32, Precision::Tf32, Precision::Fp16, Precision::Bf16};

#if SPARKBENCH_HAVE_CUDA
// Allocates, fills and verifies; throws sb::Unavailable without a usable device, sb::Error when
// the matrices do not fit in the device's free memory.
std::unique_ptr<CaseRun> make_gpu_gemm_case(const GemmParams& params, const CaseContext& context);
#endif

}  // namespace sb::matmul
