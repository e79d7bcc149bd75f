#include "workloads/unified_memory/unified_memory.hpp"

#include <fmt/format.h>

#include "core/cuda_status.hpp"
#include "core/error.hpp"

namespace sb::unified_memory {
namespace {

std::unique_ptr<CaseRun> make_case(const Params& params, const CaseContext& context) {
  const long long mib = params.integer("size_mib");
  const std::string& mode = params.str("mode");
  if (mode != "first_touch" && mode != "prefetch")
    throw Error(fmt::format("unified_memory: unknown mode '{}'", mode), "mode is first_touch or prefetch");
  Config config{.mode = mode == "first_touch" ? Mode::FirstTouch : Mode::Prefetch,
                .bytes = static_cast<std::size_t>(mib) << 20};
#if SPARKBENCH_HAVE_CUDA
  return make_run(config, context);
#else
  (void)config;
  (void)context;
  cuda::throw_built_without_cuda("unified_memory");
#endif
}

}  // namespace

SB_REGISTER_WORKLOAD(
    unified_memory,
    Workload{
        .name = "unified_memory",
        .help =
            "Managed memory (cudaMallocManaged) moving from the CPU to the GPU. Each repetition the "
            "host writes fresh random data into every page (not timed), then a kernel reads every "
            "word and checks a checksum against the CPU's. first_touch: the kernel alone, so pages "
            "arrive by GPU page faults; prefetch: cudaMemPrefetchAsync to the device, then the "
            "kernel. Timed with CUDA events. The buffer is capped at 1/4 of free device memory. "
            "On discrete GPUs this measures fault-driven migration; on coherent systems (DGX Spark's "
            "GB10, Grace Hopper: pageableMemoryAccess) there may be little or nothing to migrate. A "
            "regression here with gpu_bandwidth unchanged points at the host kernel's side of "
            "unified memory (HMM, page size, transparent huge pages, NUMA, IOMMU) in this environment.",
        .device = Device::Gpu,
        .layer = "unified-memory",
        .params = {{.name = "mode",
                    .type = ParamSpec::Type::String,
                    .defaults = {"first_touch", "prefetch"},
                    .choices = {"first_touch", "prefetch"},
                    .help = "first_touch: the kernel faults pages in; prefetch: cudaMemPrefetchAsync first"},
                   {.name = "size_mib",
                    .type = ParamSpec::Type::Int,
                    .defaults = {"256"},
                    .choices = {},
                    .help = "size of the managed buffer in MiB (capped at 1/4 of free device memory)",
                    .min = 1,
                    .max = kMaxSizeMib}},
        .metrics = {{.name = "bandwidth_gbs",
                     .unit = "GB/s",
                     .better = Better::Higher,
                     .help = "buffer bytes brought to and read by the GPU per second (1 GB = 1e9 bytes)"},
                    {.name = "time_ms",
                     .unit = "ms",
                     .better = Better::Lower,
                     .help = "GPU time of the kernel (first_touch) or of prefetch + kernel (prefetch)"}},
        .make = make_case});

}  // namespace sb::unified_memory
