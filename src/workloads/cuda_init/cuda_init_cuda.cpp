// cuda_init on CUDA: host-side wall time of creating and destroying a context or a cuBLAS handle.
#include <chrono>
#include <optional>
#include <utility>

#include <cublas_v2.h>
#include <cudaTypedefs.h>  // PFN_cu* types; declarations only, libcuda is not linked
#include <cuda_runtime_api.h>
#include <fmt/format.h>

#include "core/cuda_status.hpp"
#include "core/error.hpp"
#include "workloads/cuda_init/cuda_init.hpp"

namespace sb::cuda_init {
namespace {

using Clock = std::chrono::steady_clock;

double ms_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

// The driver API functions this workload needs, looked up in the driver that the runtime loaded.
// Each is asked for at the CUDA version whose signature the PFN type spells out.
class DriverApi {
 public:
  DriverApi()
      : error_name_(lookup<PFN_cuGetErrorName_v6000>("cuGetErrorName", 6000)),
        device_get_(lookup<PFN_cuDeviceGet_v2000>("cuDeviceGet", 2000)),
        ctx_create_(lookup<PFN_cuCtxCreate_v12050>("cuCtxCreate", 12050)),
        ctx_destroy_(lookup<PFN_cuCtxDestroy_v4000>("cuCtxDestroy", 4000)) {}

  CUdevice device(int ordinal) const {
    CUdevice d = 0;
    check(device_get_(&d, ordinal), "cuDeviceGet");
    return d;
  }
  // Creates a context (which becomes current, pushed over the primary one) and destroys it
  // (which pops it again); returns the milliseconds of each.
  std::pair<double, double> create_and_destroy(CUdevice device) const {
    CUcontext context = nullptr;
    const auto t0 = Clock::now();
    check(ctx_create_(&context, nullptr, 0, device), "cuCtxCreate");
    const auto t1 = Clock::now();
    check(ctx_destroy_(context), "cuCtxDestroy");
    const auto t2 = Clock::now();
    return {ms_between(t0, t1), ms_between(t1, t2)};
  }

 private:
  template <class Fn>
  static Fn lookup(const char* symbol, unsigned version) {
    void* fn = nullptr;
    cudaDriverEntryPointQueryResult found{};
    SB_CUDA_CHECK(cudaGetDriverEntryPointByVersion(symbol, &fn, version, cudaEnableDefault, &found));
    if (found != cudaDriverEntryPointSuccess || fn == nullptr)
      throw Unavailable(fmt::format("the CUDA driver does not provide {} (as of CUDA version {})", symbol, version));
    return reinterpret_cast<Fn>(fn);
  }

  void check(CUresult status, const char* call) const {
    if (status == CUDA_SUCCESS) return;
    const char* name = nullptr;
    if (error_name_(status, &name) != CUDA_SUCCESS) name = "unknown error";
    throw Error(fmt::format("CUDA driver call {} failed: {} ({})", call, name, static_cast<int>(status)),
                "run `sparkbench doctor`; a context that cannot be created often means the GPU is in "
                "exclusive-process mode and in use, or out of memory (see nvidia-smi)",
                kExitFailure);
  }

  PFN_cuGetErrorName_v6000 error_name_;
  PFN_cuDeviceGet_v2000 device_get_;
  PFN_cuCtxCreate_v12050 ctx_create_;
  PFN_cuCtxDestroy_v4000 ctx_destroy_;
};

void check_cublas(cublasStatus_t status, const char* call) {
  if (status == CUBLAS_STATUS_SUCCESS) return;
  throw Error(fmt::format("cuBLAS call {} failed: {}", call, cublasGetStatusString(status)),
              "check that libcublas matches the CUDA runtime (`sparkbench env` lists the loaded "
              "libraries) and that the GPU has free memory",
              kExitFailure);
}

std::pair<double, double> cublas_create_and_destroy() {
  cublasHandle_t handle = nullptr;
  const auto t0 = Clock::now();
  check_cublas(cublasCreate(&handle), "cublasCreate");
  const auto t1 = Clock::now();
  check_cublas(cublasDestroy(handle), "cublasDestroy");
  const auto t2 = Clock::now();
  return {ms_between(t0, t1), ms_between(t1, t2)};
}

// ProgramCase: after a process-wide first call (kept apart), a create and a destroy, each timed on its own.
class InitRun final : public ProgramCase {
 public:
  explicit InitRun(What what) : what_(what) {
    if (what_ == What::Context) {
      driver_.emplace();
      cu_device_ = driver_->device(device_);
    }
    first_ = create_and_destroy();  // the first of the process is cold: kept apart, in info()
  }

  Measurement run() override {
    const auto [create_ms, destroy_ms] = create_and_destroy();
    return {{"time_ms", create_ms}, {"destroy_ms", destroy_ms}};
  }

  nlohmann::json info() const override {
    return {{"what", what_ == What::Context ? "cuCtxCreate + cuCtxDestroy (driver API, a non-primary context)"
                                            : "cublasCreate + cublasDestroy (on the primary context)"},
            {"first_create_ms", first_.first},
            {"first_destroy_ms", first_.second},
            {"timer", "steady_clock around each call"}};
  }

 private:
  std::pair<double, double> create_and_destroy() const {
    return what_ == What::Context ? driver_->create_and_destroy(cu_device_) : cublas_create_and_destroy();
  }

  int device_ = cuda::usable_device();  // first: also creates the primary context, untimed
  What what_;
  std::optional<DriverApi> driver_;
  CUdevice cu_device_ = 0;
  std::pair<double, double> first_{};
};

}  // namespace

std::unique_ptr<CaseRun> make_run(What what) { return std::make_unique<InitRun>(what); }

}  // namespace sb::cuda_init
