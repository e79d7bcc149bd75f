// The `matmul` workload: an n x n x n GEMM through cuBLAS, the seed's sanity check (Sani et al.
// 2025 time a 10000 x 10000 matmul), comparable with torch.matmul.
#include "core/error.hpp"
#include "workload/workload.hpp"
#include "workloads/matmul/matmul_gpu.hpp"

namespace sb::matmul {
namespace {

std::unique_ptr<CaseRun> make_matmul(const Params& params, const CaseContext& context) {
  const GemmParams gemm = read_gemm_params("matmul", params, kGpuPrecisions);
#if SPARKBENCH_HAVE_CUDA
  return make_gpu_gemm_case(gemm, context);
#else
  (void)gemm;
  (void)context;
  throw Unavailable("this sparkbench was built without CUDA (no nvcc at build time); rebuild with the CUDA toolkit");
#endif
}

}  // namespace

SB_REGISTER_WORKLOAD(matmul, Workload{
    .name = "matmul",
    .help = "n x n x n GEMM with cuBLAS (cublasGemmEx, fp32 accumulation), the seed's sanity check; "
            "compare with benchmarks/commands/torch_matmul.py",
    .device = Device::Gpu,
    .layer = "gpu-compute",
    .params = gemm_param_specs(10000, kGpuPrecisions),
    .metrics = {{.name = "time_ms", .unit = "ms", .better = Better::Lower, .help = "time of one GEMM",
                 .derived = Derived::Time},
                {.name = "tflops", .unit = "TFLOP/s", .better = Better::Higher, .help = "2 n^3 / time_ms",
                 .derived = Derived::Flops}},
    .make = make_matmul,
});

}  // namespace sb::matmul
