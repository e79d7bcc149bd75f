#include "workloads/gpu_alloc/gpu_alloc.hpp"

#include <fmt/format.h>

#include "core/cuda_status.hpp"
#include "core/error.hpp"

namespace sb::gpu_alloc {
namespace {

Api parse_api(const std::string& s) {
  if (s == "malloc") return Api::Malloc;
  if (s == "malloc_async") return Api::MallocAsync;
  if (s == "host_alloc") return Api::HostAlloc;
  throw Error(fmt::format("gpu_alloc: unknown api '{}'", s), "api is one of: malloc, malloc_async, host_alloc");
}

std::unique_ptr<CaseRun> make_case(const Params& params, const CaseContext&) {
  const long long mib = params.integer("size_mib");
  Config config{.api = parse_api(params.str("api")), .bytes = static_cast<std::size_t>(mib) << 20};
#if SPARKBENCH_HAVE_CUDA
  return make_run(config);
#else
  (void)config;
  cuda::throw_built_without_cuda("gpu_alloc");
#endif
}

}  // namespace

SB_REGISTER_WORKLOAD(
    gpu_alloc,
    Workload{
        .name = "gpu_alloc",
        .help =
            "Latency of one allocation + release pair: cudaMalloc/cudaFree of device memory (malloc), "
            "cudaMallocAsync/cudaFreeAsync from the device's default stream-ordered pool (malloc_async: "
            "after the first pair of a repetition the pool reuses the block, so this is the pool's "
            "bookkeeping; the pool is trimmed at the repetition's final synchronize), and "
            "cudaHostAlloc/cudaFreeHost of pinned host memory (host_alloc: the kernel pins and maps "
            "every page). Timed on the host with steady_clock. Isolates the driver's memory-management "
            "path; a regression in host_alloc alone points at the host kernel (page pinning, IOMMU "
            "mapping, memory cgroup), one in malloc at the driver or GPU page-table work.",
        .device = Device::Gpu,
        .layer = "gpu-alloc",
        .params = {{.name = "api",
                    .type = ParamSpec::Type::String,
                    .defaults = {"malloc", "malloc_async", "host_alloc"},
                    .choices = {"malloc", "malloc_async", "host_alloc"},
                    .help = "malloc: cudaMalloc+cudaFree; malloc_async: cudaMallocAsync+cudaFreeAsync; "
                            "host_alloc: cudaHostAlloc+cudaFreeHost"},
                   {.name = "size_mib",
                    .type = ParamSpec::Type::Int,
                    .defaults = {"64"},
                    .choices = {},
                    .help = "bytes of one allocation, in MiB",
                    .min = 1,
                    .max = kMaxSizeMib}},
        .metrics = {{.name = "latency_us",
                     .unit = "us",
                     .better = Better::Lower,
                     .help = "wall time of one allocation plus its release",
                     .derived = Derived::Time}},
        .make = make_case});

}  // namespace sb::gpu_alloc
