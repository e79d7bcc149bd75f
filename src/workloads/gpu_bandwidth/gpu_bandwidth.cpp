#include "workloads/gpu_bandwidth/gpu_bandwidth.hpp"

#include <fmt/format.h>

#include "core/cuda_status.hpp"
#include "core/error.hpp"

namespace sb::gpu_bandwidth {
namespace {

Kernel parse_kernel(const std::string& s) {
  if (s == "memcpy") return Kernel::Memcpy;
  if (s == "copy") return Kernel::Copy;
  if (s == "triad") return Kernel::Triad;
  throw Error(fmt::format("gpu_bandwidth: unknown kernel '{}'", s), "kernel is one of: memcpy, copy, triad");
}

std::unique_ptr<CaseRun> make_case(const Params& params, const CaseContext& context) {
  const long long mib = params.integer("size_mib");
  Config config{.kernel = parse_kernel(params.str("kernel")),
                .bytes_per_array = static_cast<std::size_t>(mib) << 20};
#if SPARKBENCH_HAVE_CUDA
  return make_run(config, context);
#else
  (void)config;
  (void)context;
  cuda::throw_built_without_cuda("gpu_bandwidth");
#endif
}

}  // namespace

SB_REGISTER_WORKLOAD(
    gpu_bandwidth,
    Workload{
        .name = "gpu_bandwidth",
        .help =
            "Device-memory bandwidth with no host involved: cudaMemcpy device-to-device (memcpy), a "
            "float4 copy kernel (copy) and the STREAM triad a = b + s*c (triad), over arrays of "
            "size_mib each (default 1 GiB, far beyond L2). Bandwidth counts bytes read plus bytes "
            "written; timed with CUDA events after warm-up; results are checked against a CPU "
            "reference on random data. For the ceiling, compare with the device copy measured by "
            "torch on the same machine (a tensor copy_ timed with CUDA events, read + write bytes). "
            "A regression here means the GPU itself is slower in this environment (memory clock, "
            "power cap, thermal throttling, a MIG slice), not the container's software path.",
        .device = Device::Gpu,
        .layer = "gpu-memory",
        .params = {{.name = "kernel",
                    .type = ParamSpec::Type::String,
                    .defaults = {"memcpy", "copy", "triad"},
                    .choices = {"memcpy", "copy", "triad"},
                    .help = "memcpy: cudaMemcpyAsync device to device; copy: float4 copy kernel; "
                            "triad: a = b + s*c kernel"},
                   {.name = "size_mib",
                    .type = ParamSpec::Type::Int,
                    .defaults = {"1024"},
                    .choices = {},
                    .help = "size of each array in MiB (copy uses 2 arrays, triad 3)",
                    .min = 1,
                    .max = kMaxSizeMib}},
        .metrics = {{.name = "bandwidth_gbs",
                     .unit = "GB/s",
                     .better = Better::Higher,
                     .help = "bytes read + written per second (1 GB = 1e9 bytes)",
                     .derived = Derived::Bytes},
                    {.name = "time_ms",
                     .unit = "ms",
                     .better = Better::Lower,
                     .help = "GPU time of one operation over the whole arrays",
                     .derived = Derived::Time}},
        .make = make_case});

}  // namespace sb::gpu_bandwidth
