#pragma once
// pcie_transfer: between the registration (always built) and its CUDA implementation.
#include <cstddef>
#include <memory>

#include "workload/workload.hpp"

namespace sb::pcie_transfer {

enum class Direction { HostToDevice, DeviceToHost };
enum class HostMemory { Pinned, Pageable };

struct Config {
  Direction direction = Direction::HostToDevice;
  HostMemory memory = HostMemory::Pinned;
  std::size_t bytes = 0;  // a positive multiple of 1 MiB
};

// Defined in pcie_transfer_cuda.cpp (CUDA builds only).
std::unique_ptr<CaseRun> make_run(const Config& config, const CaseContext& context);

}  // namespace sb::pcie_transfer
