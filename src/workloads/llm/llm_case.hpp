#pragma once
// Between the `llm` registration (llm.cpp, every build) and its CUDA case (llm_case_cuda.cpp, CUDA
// builds only).
#include <memory>
#include <string>

#include "llm/memory_plan.hpp"
#include "llm/model_config.hpp"
#include "workload/workload.hpp"

namespace sb::llm_workload {

// A case's parameters, checked: a resolved model, a valid request (generate >= 2), an existing
// weights path or "synthetic", a decode_gemm the engine knows.
struct CaseSettings {
  llm::ModelConfig model;
  llm::InferenceRequest request;
  std::string weights;  // "synthetic" or a checkpoint path (llm/weight_loader.hpp)
  std::string decode_gemm;
  bool cuda_graphs = true;
};

inline constexpr const char* kSyntheticWeights = "synthetic";

#if SPARKBENCH_HAVE_CUDA
// Builds the engine and verifies it once; throws sb::Unavailable without a usable device, sb::Error
// when the model does not fit or the weights cannot be read.
std::unique_ptr<CaseRun> make_gpu_case(const CaseSettings& settings, const CaseContext& context);
#endif

}  // namespace sb::llm_workload
