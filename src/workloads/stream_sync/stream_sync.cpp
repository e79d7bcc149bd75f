#include "workloads/stream_sync/stream_sync.hpp"

#include <fmt/format.h>

#include "core/cuda_status.hpp"
#include "core/error.hpp"

namespace sb::stream_sync {
namespace {

std::unique_ptr<CaseRun> make_case(const Params& params, const CaseContext&) {
  const std::string& call = params.str("call");
  if (call != "stream" && call != "event")
    throw Error(fmt::format("stream_sync: unknown call '{}'", call), "call is stream or event");
#if SPARKBENCH_HAVE_CUDA
  return make_run(call == "stream" ? Call::StreamSynchronize : Call::EventSynchronize);
#else
  cuda::throw_built_without_cuda("stream_sync");
#endif
}

}  // namespace

SB_REGISTER_WORKLOAD(
    stream_sync,
    Workload{
        .name = "stream_sync",
        .help =
            "Latency of cudaStreamSynchronize on an idle stream (call=stream) and of "
            "cudaEventSynchronize on an already completed event (call=event): nothing to wait for, "
            "so this is the pure cost of asking the driver. Timed on the host with steady_clock "
            "around 20000 calls. Isolates the host side of synchronization; a regression here with "
            "launch_latency also slower points at the system-call or CPU path of the environment, "
            "not at the GPU.",
        .device = Device::Gpu,
        .layer = "gpu-launch",
        .params = {{.name = "call",
                    .type = ParamSpec::Type::String,
                    .defaults = {"stream", "event"},
                    .choices = {"stream", "event"},
                    .help = "stream: cudaStreamSynchronize; event: cudaEventSynchronize"}},
        .metrics = {{.name = "latency_us",
                     .unit = "us",
                     .better = Better::Lower,
                     .help = "wall time of one synchronize call",
                     .derived = Derived::Time}},
        .make = make_case});

}  // namespace sb::stream_sync
