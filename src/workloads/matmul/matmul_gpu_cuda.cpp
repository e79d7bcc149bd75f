// The GPU matmul case (CUDA builds only). Host code: compiled by the C++ compiler against the
// CUDA runtime and cuBLAS headers; the one kernel (the input generator) is in matmul_fill.cu.
#include <cmath>
#include <cstring>
#include <type_traits>
#include <vector>

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <fmt/format.h>

#include "core/cublas_handle.hpp"
#include "core/cuda_status.hpp"
#include "workloads/matmul/matmul_fill.hpp"
#include "workloads/matmul/matmul_gpu.hpp"
#include "workloads/matmul/matmul_inputs.hpp"
#include "workloads/matmul/matmul_verify.hpp"

namespace sb::matmul {
namespace {

// Destructors release without checking: they run during unwinding, where a second error would
// hide the first.
struct DeviceFree {
  void operator()(void* p) const noexcept { cudaFree(p); }
};
struct StreamDestroy {
  void operator()(cudaStream_t s) const noexcept { cudaStreamDestroy(s); }
};
using DeviceBuffer = std::unique_ptr<void, DeviceFree>;
using Stream = std::unique_ptr<std::remove_pointer_t<cudaStream_t>, StreamDestroy>;
using cuda::CublasHandle;

DeviceBuffer device_alloc(std::size_t bytes) {
  void* p = nullptr;
  SB_CUDA_CHECK(cudaMalloc(&p, bytes));
  return DeviceBuffer(p);
}

// How one precision maps onto cublasGemmEx: storage type of A, B, C and the compute type. The
// scale type (alpha, beta) is float for all of these compute types.
struct GemmTypes {
  cudaDataType_t data;
  cublasComputeType_t compute;
  StorageType storage;
  std::size_t bytes;
  const char* compute_name;
};

GemmTypes gemm_types(Precision p) {
  switch (p) {
    case Precision::Fp32: return {CUDA_R_32F, CUBLAS_COMPUTE_32F, StorageType::F32, 4, "CUBLAS_COMPUTE_32F"};
    case Precision::Tf32:
      return {CUDA_R_32F, CUBLAS_COMPUTE_32F_FAST_TF32, StorageType::F32, 4, "CUBLAS_COMPUTE_32F_FAST_TF32"};
    case Precision::Fp16: return {CUDA_R_16F, CUBLAS_COMPUTE_32F, StorageType::F16, 2, "CUBLAS_COMPUTE_32F"};
    case Precision::Bf16: return {CUDA_R_16BF, CUBLAS_COMPUTE_32F, StorageType::BF16, 2, "CUBLAS_COMPUTE_32F"};
    case Precision::Fp64: break;
  }
  throw Error("matmul: fp64 is not a GPU precision", "use fp32, tf32, fp16 or bf16");
}

// The value the GPU stored for a generated entry: the same round-to-nearest conversion as the
// fill kernel, here on the host.
double stored_value(StorageType type, float v) {
  switch (type) {
    case StorageType::F32: return v;
    case StorageType::F16: return __half2float(__float2half_rn(v));
    case StorageType::BF16: return __bfloat162float(__float2bfloat16_rn(v));
  }
  return v;
}

double to_double(StorageType type, const unsigned char* bytes) {
  switch (type) {
    case StorageType::F32: {
      float v;
      std::memcpy(&v, bytes, sizeof v);
      return v;
    }
    case StorageType::F16: {
      __half v;
      std::memcpy(&v, bytes, sizeof v);
      return __half2float(v);
    }
    case StorageType::BF16: {
      __nv_bfloat16 v;
      std::memcpy(&v, bytes, sizeof v);
      return __bfloat162float(v);
    }
  }
  return 0;
}

std::string cublas_version() {
  int major = 0, minor = 0, patch = 0;
  SB_CUBLAS_CHECK(cublasGetProperty(MAJOR_VERSION, &major));
  SB_CUBLAS_CHECK(cublasGetProperty(MINOR_VERSION, &minor));
  SB_CUBLAS_CHECK(cublasGetProperty(PATCH_LEVEL, &patch));
  return fmt::format("{}.{}.{}", major, minor, patch);
}

// One operation = one GEMM on the cuBLAS handle's stream; the harness times them with events.
class GpuGemmCase final : public DeviceOperation {
 public:
  GpuGemmCase(const GemmParams& params, const CaseContext& context)
      : params_(params), types_(gemm_types(params.precision)) {
    device_ = cuda::usable_device();
    cudaDeviceProp prop{};
    SB_CUDA_CHECK(cudaGetDeviceProperties(&prop, device_));
    device_name_ = prop.name;
    compute_capability_ = fmt::format("{}.{}", prop.major, prop.minor);
    int runtime = 0;
    SB_CUDA_CHECK(cudaRuntimeGetVersion(&runtime));
    cuda_runtime_version_ = fmt::format("{}.{}", runtime / 1000, (runtime % 1000) / 10);
    cublas_version_ = cublas_version();
    require_memory();

    cudaStream_t stream = nullptr;
    SB_CUDA_CHECK(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking));
    stream_.reset(stream);
    handle_ = cuda::make_cublas_handle(stream);

    const std::size_t count = element_count();
    a_ = device_alloc(count * types_.bytes);
    b_ = device_alloc(count * types_.bytes);
    c_ = device_alloc(count * types_.bytes);
    SB_CUDA_CHECK(fill_inputs(a_.get(), count, types_.storage, input_key(context.seed, InputMatrix::A), stream));
    SB_CUDA_CHECK(fill_inputs(b_.get(), count, types_.storage, input_key(context.seed, InputMatrix::B), stream));
    // All-ones bytes are NaN in every storage type: an entry the GEMM did not write fails the check.
    SB_CUDA_CHECK(cudaMemsetAsync(c_.get(), 0xFF, count * types_.bytes, stream));

    gemm();  // also the warm-up: cuBLAS picks and loads its kernel here
    verify(context.seed);
  }

  CUstream_st* stream() const override { return stream_.get(); }
  void enqueue(std::uint64_t n) override {
    for (std::uint64_t k = 0; k < n; ++k) gemm();
  }
  OperationCost cost() const override { return {.flops = gemm_flops(params_.n)}; }
  Sizing sizing() const override { return gemm_sizing(params_); }

  nlohmann::json info() const override {
    return {
        {"device", device_name_},
        {"device_index", device_},
        {"compute_capability", compute_capability_},
        {"cuda_runtime_version", cuda_runtime_version_},
        {"cublas_version", cublas_version_},
        {"api", "cublasGemmEx"},
        {"algorithm", "CUBLAS_GEMM_DEFAULT (cuBLAS heuristics), default math mode, as torch.matmul"},
        {"compute_type", types_.compute_name},
        {"layout", "row-major C = A B, computed as column-major C^T = B^T A^T (as torch does)"},
        {"verified_entries", verified_entries_},
        {"max_relative_error", check_.max_error},
        {"error_bound", check_.bound},
    };
  }

 private:
  std::size_t element_count() const { return static_cast<std::size_t>(params_.n) * static_cast<std::size_t>(params_.n); }

  void require_memory() const {
    // cuBLAS's workspace and the context's own allocations come on top of the three matrices.
    constexpr double kHeadroomBytes = 256.0 * (1 << 20);
    std::size_t free = 0, total = 0;
    SB_CUDA_CHECK(cudaMemGetInfo(&free, &total));
    const double n = static_cast<double>(params_.n);
    const double need = 3.0 * n * n * static_cast<double>(types_.bytes);
    if (need + kHeadroomBytes > static_cast<double>(free)) {
      const double fits = static_cast<double>(free) > kHeadroomBytes
                              ? std::sqrt((static_cast<double>(free) - kHeadroomBytes) / (3.0 * static_cast<double>(types_.bytes)))
                              : 0.0;
      throw Error(fmt::format("matmul: n = {} in {} needs 3 x {:.2f} GiB on the GPU, but {} has {:.2f} GiB free of {:.2f} GiB",
                              params_.n, to_string(params_.precision), need / 3.0 / (1 << 30), device_name_,
                              static_cast<double>(free) / (1 << 30), static_cast<double>(total) / (1 << 30)),
                  fmt::format("use a smaller n (at most about {} here), or free GPU memory (see nvidia-smi)",
                              static_cast<long long>(fits)));
    }
  }

  // One GEMM on the stream. cuBLAS is column-major; a row-major buffer read column-major is its
  // transpose, so row-major C = A B is column-major C^T = B^T A^T: pass B first.
  void gemm() {
    const float alpha = 1.0f, beta = 0.0f;
    const int n = static_cast<int>(params_.n);
    SB_CUBLAS_CHECK(cublasGemmEx(handle_.get(), CUBLAS_OP_N, CUBLAS_OP_N, n, n, n, &alpha, b_.get(), types_.data, n,
                              a_.get(), types_.data, n, &beta, c_.get(), types_.data, n, types_.compute,
                              CUBLAS_GEMM_DEFAULT));
  }

  void verify(std::uint64_t seed) {
    const std::vector<Entry> entries = sample_entries(params_.n, seed);
    std::vector<unsigned char> bytes(entries.size() * types_.bytes);
    const auto* c = static_cast<const unsigned char*>(c_.get());
    for (std::size_t s = 0; s < entries.size(); ++s) {
      const std::size_t offset = static_cast<std::size_t>(entries[s].i * params_.n + entries[s].j) * types_.bytes;
      SB_CUDA_CHECK(cudaMemcpyAsync(&bytes[s * types_.bytes], c + offset, types_.bytes, cudaMemcpyDeviceToHost, stream_.get()));
    }
    SB_CUDA_CHECK(cudaStreamSynchronize(stream_.get()));

    std::vector<SampledValue> samples;
    for (std::size_t s = 0; s < entries.size(); ++s)
      samples.push_back({entries[s], to_double(types_.storage, &bytes[s * types_.bytes])});
    const std::uint64_t keys[] = {input_key(seed, InputMatrix::A), input_key(seed, InputMatrix::B)};
    const StorageType storage = types_.storage;
    auto input = [&](InputMatrix m, std::int64_t index) {
      return stored_value(storage, input_value(keys[static_cast<int>(m)], static_cast<std::uint64_t>(index)));
    };
    check_ = check_gemm_samples(samples, params_.n, input, gemm_error_bound(params_.precision, params_.n));
    verified_entries_ = samples.size();
    require_passed(check_, fmt::format("matmul n={} {} on {}", params_.n, to_string(params_.precision), device_name_));
  }

  GemmParams params_;
  GemmTypes types_;
  int device_ = 0;
  std::string device_name_;
  std::string compute_capability_;
  std::string cuda_runtime_version_;
  std::string cublas_version_;
  Stream stream_;
  CublasHandle handle_;
  DeviceBuffer a_, b_, c_;
  GemmCheck check_;
  std::size_t verified_entries_ = 0;
};

}  // namespace

std::unique_ptr<CaseRun> make_gpu_gemm_case(const GemmParams& params, const CaseContext& context) {
  return std::make_unique<GpuGemmCase>(params, context);
}

}  // namespace sb::matmul
