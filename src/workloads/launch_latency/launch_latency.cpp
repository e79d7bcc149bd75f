#include "workloads/launch_latency/launch_latency.hpp"

#include <fmt/format.h>

#include "core/cuda_status.hpp"
#include "core/error.hpp"

namespace sb::launch_latency {
namespace {

std::unique_ptr<CaseRun> make_case(const Params& params, const CaseContext&) {
  const std::string& mode = params.str("mode");
  const std::string& sync = params.str("sync");
  if (mode != "stream" && mode != "graph")
    throw Error(fmt::format("launch_latency: unknown mode '{}'", mode), "mode is stream or graph");
  if (sync != "none" && sync != "each")
    throw Error(fmt::format("launch_latency: unknown sync '{}'", sync), "sync is none or each");
  Config config{.mode = mode == "stream" ? Mode::Stream : Mode::Graph,
                .sync = sync == "none" ? Sync::None : Sync::Each};
#if SPARKBENCH_HAVE_CUDA
  return make_run(config);
#else
  (void)config;
  cuda::throw_built_without_cuda("launch_latency");
#endif
}

}  // namespace

SB_REGISTER_WORKLOAD(
    launch_latency,
    Workload{
        .name = "launch_latency",
        .help =
            "Cost of launching an empty kernel (<<<1,1>>>), timed on the host with steady_clock "
            "around many launches plus a final cudaStreamSynchronize. mode=stream launches "
            "back-to-back on a stream; mode=graph replays the same launches captured in a CUDA graph "
            "(one graph launch of 10000 kernel nodes, or with sync=each a graph of one kernel). "
            "sync=none gives the per-launch cost in a full pipeline; sync=each follows every launch "
            "with cudaStreamSynchronize and gives the launch + completion round trip. Isolates the "
            "software path from process to GPU (CUDA runtime and driver, ioctls, the kernel, the "
            "doorbell). A regression with the GPU-side layers unchanged points at the container's "
            "system-call path (seccomp, a sandboxing runtime such as gVisor), CPU quota or frequency.",
        .device = Device::Gpu,
        .layer = "gpu-launch",
        .params = {{.name = "mode",
                    .type = ParamSpec::Type::String,
                    .defaults = {"stream", "graph"},
                    .choices = {"stream", "graph"},
                    .help = "stream: kernel launches on a stream; graph: the launches replayed from a CUDA graph"},
                   {.name = "sync",
                    .type = ParamSpec::Type::String,
                    .defaults = {"none", "each"},
                    .choices = {"none", "each"},
                    .help = "none: one synchronize after all launches; each: cudaStreamSynchronize after every launch"}},
        .metrics = {{.name = "launch_us",
                     .unit = "us",
                     .better = Better::Lower,
                     .help = "wall time per launch (per launch + synchronize with sync=each)",
                     .derived = Derived::Time},
                    {.name = "launches_per_s",
                     .unit = "1/s",
                     .better = Better::Higher,
                     .help = "launches completed per second",
                     .derived = Derived::Operations}},
        .make = make_case});

}  // namespace sb::launch_latency
