#include "workloads/pcie_transfer/pcie_transfer.hpp"

#include <fmt/format.h>

#include "core/cuda_status.hpp"
#include "core/error.hpp"

namespace sb::pcie_transfer {
namespace {

std::unique_ptr<CaseRun> make_case(const Params& params, const CaseContext& context) {
  const long long mib = params.integer("size_mib");
  const std::string& direction = params.str("direction");
  const std::string& memory = params.str("memory");
  if (direction != "h2d" && direction != "d2h")
    throw Error(fmt::format("pcie_transfer: unknown direction '{}'", direction), "direction is h2d or d2h");
  if (memory != "pinned" && memory != "pageable")
    throw Error(fmt::format("pcie_transfer: unknown memory '{}'", memory), "memory is pinned or pageable");
  Config config{.direction = direction == "h2d" ? Direction::HostToDevice : Direction::DeviceToHost,
                .memory = memory == "pinned" ? HostMemory::Pinned : HostMemory::Pageable,
                .bytes = static_cast<std::size_t>(mib) << 20};
#if SPARKBENCH_HAVE_CUDA
  return make_run(config, context);
#else
  (void)config;
  (void)context;
  cuda::throw_built_without_cuda("pcie_transfer");
#endif
}

}  // namespace

SB_REGISTER_WORKLOAD(
    pcie_transfer,
    Workload{
        .name = "pcie_transfer",
        .help =
            "Host<->device copy bandwidth (cudaMemcpyAsync) from pinned (cudaHostAlloc) or pageable "
            "(ordinary) host memory, timed with CUDA events after warm-up; every byte is checked once "
            "against random source data. Isolates the path between host memory and the GPU: the bus "
            "(PCIe link generation and width, or NVLink-C2C on Grace systems), IOMMU, and for pageable "
            "memory the driver's staging copies on the CPU. A regression in pinned copies points at "
            "the link or IOMMU setup; one in pageable copies only points at the CPU side (CPU quota, "
            "memory bandwidth, page faults, transparent huge pages) of this environment.",
        .device = Device::Gpu,
        .layer = "gpu-transfer",
        .params = {{.name = "direction",
                    .type = ParamSpec::Type::String,
                    .defaults = {"h2d", "d2h"},
                    .choices = {"h2d", "d2h"},
                    .help = "h2d: host to device; d2h: device to host"},
                   {.name = "memory",
                    .type = ParamSpec::Type::String,
                    .defaults = {"pinned", "pageable"},
                    .choices = {"pinned", "pageable"},
                    .help = "pinned: page-locked host buffer (cudaHostAlloc); pageable: ordinary host buffer"},
                   {.name = "size_mib",
                    .type = ParamSpec::Type::Int,
                    .defaults = {"1", "64", "256"},
                    .choices = {},
                    .help = "bytes of one transfer, in MiB",
                    .min = 1,
                    .max = kMaxSizeMib}},
        .metrics = {{.name = "bandwidth_gbs",
                     .unit = "GB/s",
                     .better = Better::Higher,
                     .help = "bytes transferred per second (1 GB = 1e9 bytes)",
                     .derived = Derived::Bytes},
                    {.name = "time_ms",
                     .unit = "ms",
                     .better = Better::Lower,
                     .help = "time of one transfer",
                     .derived = Derived::Time}},
        .make = make_case});

}  // namespace sb::pcie_transfer
