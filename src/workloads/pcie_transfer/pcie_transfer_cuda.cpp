// pcie_transfer on CUDA: one operation = one cudaMemcpyAsync of the whole buffer.
#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

#include <cuda_runtime_api.h>
#include <fmt/format.h>

#include "core/counter_random.hpp"
#include "core/cuda_resources.hpp"
#include "core/cuda_status.hpp"
#include "core/error.hpp"
#include "workloads/pcie_transfer/pcie_transfer.hpp"

namespace sb::pcie_transfer {
namespace {

// The PCIe link as Linux reports it in sysfs (cudaDeviceProp has no link fields, and NVML is the
// telemetry module's to load). Absent on systems without a PCIe GPU (DGX Spark's GB10 sits on
// NVLink-C2C) and where /sys is not visible. An idle link may have trained down to save power:
// compare current with max, and read it right after a transfer.
nlohmann::json pcie_link(int device) {
  char bus_id[64] = {};
  if (cudaDeviceGetPCIBusId(bus_id, sizeof bus_id, device) != cudaSuccess) return nullptr;
  std::string id(bus_id);
  std::transform(id.begin(), id.end(), id.begin(), [](unsigned char c) { return std::tolower(c); });
  if (const auto colon = id.find(':'); colon > 4 && colon != std::string::npos) id.erase(0, colon - 4);
  nlohmann::json link{{"pci_bus_id", id}};
  for (const char* field : {"current_link_speed", "current_link_width", "max_link_speed", "max_link_width"}) {
    std::ifstream in("/sys/bus/pci/devices/" + id + "/" + field);
    std::string value;
    if (std::getline(in, value) && !value.empty()) link[field] = value;
  }
  return link;
}

// One operation = one cudaMemcpyAsync of the whole buffer on stream_; the harness times them with events.
class TransferRun final : public DeviceOperation {
 public:
  TransferRun(const Config& config, const CaseContext& context)
      : config_(config), words_(config.bytes / sizeof(std::uint64_t)) {
    SB_CUDA_CHECK(cudaGetDeviceProperties(&prop_, device_));
    device_buffer_ = cuda::device_array<std::uint64_t>(words_);
    if (config_.memory == HostMemory::Pinned) {
      pinned_ = cuda::pinned_array<std::uint64_t>(words_);
      host_ = pinned_.get();
    } else {
      pageable_ = std::make_unique_for_overwrite<std::uint64_t[]>(words_);
      host_ = pageable_.get();
    }
    verify_once(context.seed);
  }

  CUstream_st* stream() const override { return stream_.get(); }
  void enqueue(std::uint64_t n) override {
    for (std::uint64_t i = 0; i < n; ++i) enqueue_one();
  }
  OperationCost cost() const override { return {.bytes = static_cast<double>(config_.bytes)}; }
  // About 20 ms a repetition, at most 1000 transfers.
  Sizing sizing() const override { return {.target = std::chrono::milliseconds(20), .max_operations = 1000}; }
  // Untimed: the link as it is right after the previous repetition's transfers, while it is awake.
  void prepare(std::uint64_t /*n*/) override { link_ = pcie_link(device_); }

  nlohmann::json info() const override {
    return {{"device", prop_.name},
            {"direction", config_.direction == Direction::HostToDevice ? "h2d" : "d2h"},
            {"host_memory", config_.memory == HostMemory::Pinned ? "pinned (cudaHostAlloc)"
                                                                 : "pageable (operator new, every page touched)"},
            {"bytes_per_transfer", config_.bytes},
            {"integrated_gpu", prop_.integrated != 0},
            {"pcie_link", link_},
            {"verification", fmt::format("all {} bytes of one transfer equal the random source", config_.bytes)}};
  }

 private:
  // One transfer of random words, checked word for word, before any timing.
  void verify_once(std::uint64_t seed) {
    std::vector<std::uint64_t> staging(words_);
    if (config_.direction == Direction::HostToDevice) {
      for (std::size_t i = 0; i < words_; ++i) host_[i] = random_word(seed, i);
      enqueue_one();
      SB_CUDA_CHECK(cudaStreamSynchronize(stream_.get()));
      SB_CUDA_CHECK(cudaMemcpy(staging.data(), device_buffer_.get(), config_.bytes, cudaMemcpyDeviceToHost));
      check_words(staging.data(), seed);
    } else {
      for (std::size_t i = 0; i < words_; ++i) staging[i] = random_word(seed, i);
      SB_CUDA_CHECK(cudaMemcpy(device_buffer_.get(), staging.data(), config_.bytes, cudaMemcpyHostToDevice));
      // A pageable cudaMemcpy returns before its DMA ends, and stream_ does not wait for the
      // legacy stream: without this the copy checked below could read a half-written source.
      SB_CUDA_CHECK(cudaDeviceSynchronize());
      std::fill_n(host_, words_, std::uint64_t{0});
      enqueue_one();
      SB_CUDA_CHECK(cudaStreamSynchronize(stream_.get()));
      check_words(host_, seed);
    }
  }

  void check_words(const std::uint64_t* got, std::uint64_t seed) const {
    for (std::size_t i = 0; i < words_; ++i)
      if (got[i] != random_word(seed, i))
        throw Error(fmt::format("pcie_transfer: word {} of the copy is {:#x}, the source holds {:#x}", i, got[i],
                                random_word(seed, i)),
                    "the copy corrupted data: check the kernel log (dmesg: Xid, AER, IOMMU faults) and "
                    "`nvidia-smi -q` before trusting any benchmark on this machine",
                    kExitFailure);
  }

  void enqueue_one() {
    if (config_.direction == Direction::HostToDevice)
      SB_CUDA_CHECK(cudaMemcpyAsync(device_buffer_.get(), host_, config_.bytes, cudaMemcpyHostToDevice, stream_.get()));
    else
      SB_CUDA_CHECK(cudaMemcpyAsync(host_, device_buffer_.get(), config_.bytes, cudaMemcpyDeviceToHost, stream_.get()));
  }

  int device_ = cuda::usable_device();  // first: no device, nothing created
  Config config_;
  std::size_t words_;
  cudaDeviceProp prop_{};
  cuda::Stream stream_ = cuda::make_stream();
  cuda::DeviceArray<std::uint64_t> device_buffer_;
  cuda::PinnedArray<std::uint64_t> pinned_;
  std::unique_ptr<std::uint64_t[]> pageable_;
  std::uint64_t* host_ = nullptr;
  nlohmann::json link_ = pcie_link(device_);
};

}  // namespace

std::unique_ptr<CaseRun> make_run(const Config& config, const CaseContext& context) {
  return std::make_unique<TransferRun>(config, context);
}

}  // namespace sb::pcie_transfer
