#pragma once
// What this GPU can do at best, measured by the workloads that measure exactly that, so that the
// `llm` floors use the same counting rules as their results: gpu_bandwidth's cudaMemcpyAsync device
// to device over 1 GiB (bytes read + written) and matmul's cublasGemmEx 8192^3 in bf16 with fp32
// compute. Each is built (and so verified against its CPU reference), warmed up, and run several
// times; the median counts. CUDA builds only; measured once per process and device.
#include <nlohmann/json.hpp>

#include "workload/workload.hpp"
#include "workloads/llm/llm_floors.hpp"

namespace sb::llm_workload {

#if SPARKBENCH_HAVE_CUDA
struct MeasuredRates {
  DeviceRates rates;
  nlohmann::json info;  // each measurement's repetitions and its workload's info()
};

// The rates of the current device (cudaGetDevice), with inputs from the case's seed; the first call
// per device and seed measures (about a second or two), later calls return the cached values.
// Throws what the measuring workloads throw.
const MeasuredRates& measured_rates(const CaseContext& context);
#endif

}  // namespace sb::llm_workload
