// The canary's GPU probes: a device-memory read over 256 MiB (beyond any L2 cache) and a bf16 GEMM
// (n = 4096, fp32 accumulation and output, cuBLAS's default algorithm). Each checks its result
// against a CPU reference once, before it is timed.
#include <cublas_v2.h>
#include <cuda_bf16.h>
#include <cuda_runtime_api.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <type_traits>
#include <vector>

#include <fmt/format.h>

#include "canary/canary.hpp"
#include "canary/device_read_kernel.hpp"
#include "core/counter_random.hpp"
#include "core/cublas_handle.hpp"
#include "core/cuda_resources.hpp"
#include "core/cuda_status.hpp"
#include "core/error.hpp"

namespace sb::canary {
namespace {

constexpr std::size_t kReadBytes = std::size_t{256} << 20;
constexpr int kGemmN = 4096;
constexpr auto kTarget = std::chrono::milliseconds(40);

std::uint32_t word(std::size_t i) { return static_cast<std::uint32_t>(random_word(7, i) >> 40); }

class DeviceRead final : public DeviceOperation {
 public:
  DeviceRead() : count_(kReadBytes / sizeof(std::uint32_t)) {
    cudaDeviceProp prop{};
    SB_CUDA_CHECK(cudaGetDeviceProperties(&prop, cuda::usable_device()));
    blocks_ = prop.multiProcessorCount * 4;
    words_ = cuda::device_array<std::uint32_t>(count_);
    total_ = cuda::device_array<unsigned long long>(1);
    std::vector<std::uint32_t> host(count_);
    unsigned long long expected = 0;
    for (std::size_t i = 0; i < count_; ++i) expected += host[i] = word(i);
    SB_CUDA_CHECK(cudaMemcpy(words_.get(), host.data(), kReadBytes, cudaMemcpyHostToDevice));
    SB_CUDA_CHECK(cudaMemsetAsync(total_.get(), 0, sizeof(unsigned long long), stream_.get()));
    enqueue(1);
    unsigned long long got = 0;
    SB_CUDA_CHECK(cudaMemcpyAsync(&got, total_.get(), sizeof got, cudaMemcpyDeviceToHost, stream_.get()));
    SB_CUDA_CHECK(cudaStreamSynchronize(stream_.get()));
    if (got != expected)
      throw Error(fmt::format("canary device_read: the GPU summed {} where the CPU reference is {}", got, expected),
                  "the GPU returned wrong data: check `nvidia-smi -q -d ECC` and dmesg (Xid errors)", kExitFailure);
  }
  CUstream_st* stream() const override { return stream_.get(); }
  void enqueue(std::uint64_t n) override {
    for (std::uint64_t i = 0; i < n; ++i)
      SB_CUDA_CHECK(launch_sum_words(words_.get(), count_, total_.get(), blocks_, stream_.get()));
  }
  OperationCost cost() const override { return {.bytes = static_cast<double>(kReadBytes)}; }
  Sizing sizing() const override { return {.target = kTarget, .max_operations = 1000}; }

 private:
  std::size_t count_;
  int blocks_ = 1;
  cuda::Stream stream_ = cuda::make_stream();
  cuda::DeviceArray<std::uint32_t> words_;
  cuda::DeviceArray<unsigned long long> total_;
};

// Small integers in bf16 (exact) and fp32 accumulation and output: every product sum is an
// integer below 2^24, so the GPU's result must equal the CPU's exactly.
float input(int matrix, std::size_t i) { return static_cast<float>(static_cast<int>(random_word(static_cast<std::uint64_t>(matrix), i) % 5) - 2); }

class Bf16Gemm final : public DeviceOperation {
 public:
  Bf16Gemm() {
    const std::size_t count = static_cast<std::size_t>(kGemmN) * kGemmN;
    a_ = cuda::device_array<__nv_bfloat16>(count);
    b_ = cuda::device_array<__nv_bfloat16>(count);
    c_ = cuda::device_array<float>(count);
    std::vector<__nv_bfloat16> host(count);
    for (int m = 0; m < 2; ++m) {
      for (std::size_t i = 0; i < count; ++i) host[i] = __float2bfloat16(input(m, i));
      SB_CUDA_CHECK(cudaMemcpy(m == 0 ? a_.get() : b_.get(), host.data(), count * sizeof(__nv_bfloat16),
                               cudaMemcpyHostToDevice));
    }
    handle_ = cuda::make_cublas_handle(stream_.get());
    enqueue(1);
    // Column-major: C(i, j) = sum_k A(i, k) B(k, j) with A(i, k) at i + k n.
    const int n = kGemmN;
    for (const auto& [i, j] : {std::pair{0, 0}, std::pair{n - 1, n - 1}, std::pair{17, 4000}, std::pair{2049, 3}}) {
      float got = 0;
      SB_CUDA_CHECK(cudaMemcpyAsync(&got, c_.get() + i + static_cast<std::size_t>(j) * n, sizeof got,
                                    cudaMemcpyDeviceToHost, stream_.get()));
      SB_CUDA_CHECK(cudaStreamSynchronize(stream_.get()));
      double want = 0;
      for (int k = 0; k < n; ++k)
        want += static_cast<double>(input(0, i + static_cast<std::size_t>(k) * n)) * input(1, k + static_cast<std::size_t>(j) * n);
      if (got != want)
        throw Error(fmt::format("canary bf16_gemm: C({}, {}) is {} on the GPU, {} in the CPU reference", i, j, got, want),
                    "the GPU or cuBLAS returned a wrong result: check `nvidia-smi -q -d ECC` and dmesg", kExitFailure);
    }
  }
  CUstream_st* stream() const override { return stream_.get(); }
  void enqueue(std::uint64_t count) override {
    const float alpha = 1, beta = 0;
    for (std::uint64_t g = 0; g < count; ++g)
      SB_CUBLAS_CHECK(cublasGemmEx(handle_.get(), CUBLAS_OP_N, CUBLAS_OP_N, kGemmN, kGemmN, kGemmN, &alpha, a_.get(),
                                   CUDA_R_16BF, kGemmN, b_.get(), CUDA_R_16BF, kGemmN, &beta, c_.get(), CUDA_R_32F,
                                   kGemmN, CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT));
  }
  OperationCost cost() const override { return {.flops = 2.0 * kGemmN * kGemmN * static_cast<double>(kGemmN)}; }
  Sizing sizing() const override { return {.target = kTarget, .max_operations = 1000}; }

 private:
  cuda::Stream stream_ = cuda::make_stream();
  cuda::CublasHandle handle_;
  cuda::DeviceArray<__nv_bfloat16> a_, b_;
  cuda::DeviceArray<float> c_;
};

}  // namespace

std::vector<std::pair<std::string, std::unique_ptr<CaseRun>>> gpu_probes() {
  std::vector<std::pair<std::string, std::unique_ptr<CaseRun>>> out;
  out.emplace_back("device_read", std::make_unique<DeviceRead>());
  out.emplace_back("bf16_gemm", std::make_unique<Bf16Gemm>());
  return out;
}

std::vector<MetricSpec> gpu_probe_metrics(const std::string& name) {
  if (name == "device_read")
    return {{.name = "read_gbs", .unit = "GB/s", .better = Better::Higher, .help = "device memory read, 256 MiB",
             .derived = Derived::Bytes}};
  return {{.name = "tflops", .unit = "TFLOP/s", .better = Better::Higher, .help = "bf16 GEMM n = 4096, fp32 output",
           .derived = Derived::Flops}};
}

}  // namespace sb::canary
