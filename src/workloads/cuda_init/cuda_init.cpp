#include "workloads/cuda_init/cuda_init.hpp"

#include <fmt/format.h>

#include "core/cuda_status.hpp"
#include "core/error.hpp"

namespace sb::cuda_init {
namespace {

std::unique_ptr<CaseRun> make_case(const Params& params, const CaseContext&) {
  const std::string& what = params.str("what");
  if (what != "context" && what != "cublas_handle")
    throw Error(fmt::format("cuda_init: unknown what '{}'", what), "what is context or cublas_handle");
#if SPARKBENCH_HAVE_CUDA
  return make_run(what == "context" ? What::Context : What::CublasHandle);
#else
  cuda::throw_built_without_cuda("cuda_init");
#endif
}

}  // namespace

SB_REGISTER_WORKLOAD(
    cuda_init,
    Workload{
        .name = "cuda_init",
        .help =
            "Start-up costs, repeated in one process. what=context: creating and destroying a CUDA "
            "context with the driver API (cuCtxCreate/cuCtxDestroy, reached through "
            "cudaGetDriverEntryPointByVersion so that the binary never links libcuda). A separate "
            "context rather than resetting the runtime's primary one: a reset would destroy every "
            "allocation of the process. It repeats the driver's per-context work (device memory "
            "reservation, channels, page tables), not the once-per-process driver load (cuInit). "
            "what=cublas_handle: cublasCreate/cublasDestroy on the device's primary context (the "
            "first, cold creation of the process is kept in info). Timed on the host with "
            "steady_clock. A regression here points at device-node access, driver ioctls and memory "
            "mapping in this environment; it costs every process once, not every request.",
        .device = Device::Gpu,
        .layer = "gpu-init",
        .params = {{.name = "what",
                    .type = ParamSpec::Type::String,
                    .defaults = {"context", "cublas_handle"},
                    .choices = {"context", "cublas_handle"},
                    .help = "context: cuCtxCreate + cuCtxDestroy; cublas_handle: cublasCreate + cublasDestroy"}},
        .metrics = {{.name = "time_ms",
                     .unit = "ms",
                     .better = Better::Lower,
                     .help = "wall time of the creation (cuCtxCreate or cublasCreate)"},
                    {.name = "destroy_ms",
                     .unit = "ms",
                     .better = Better::Lower,
                     .help = "wall time of the destruction (cuCtxDestroy or cublasDestroy)"}},
        .make = make_case});

}  // namespace sb::cuda_init
