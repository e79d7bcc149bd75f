#include "llm_cuda/cublas_linear.hpp"

#include "core/cuda_status.hpp"

namespace sb::llm {

namespace {
// What cuBLAS asks for on Hopper (cuBLAS docs, cublasSetWorkspace); counted in the memory plan's
// workspace allowance.
constexpr std::int64_t kWorkspaceBytes = 32LL << 20;
}  // namespace

CublasLinear::CublasLinear(cudaStream_t stream, DeviceAllocations& memory) {
  cublasHandle_t h = nullptr;
  SB_CUBLAS_CHECK(cublasCreate(&h));
  handle_.reset(h);
  SB_CUBLAS_CHECK(cublasSetStream(h, stream));
  // Without this flag cuBLAS may reduce split-K partial sums in bf16, the output type.
  SB_CUBLAS_CHECK(cublasSetMathMode(h, static_cast<cublasMath_t>(CUBLAS_DEFAULT_MATH |
                                                                  CUBLAS_MATH_DISALLOW_REDUCED_PRECISION_REDUCTION)));
  // A workspace of our own: during graph capture cuBLAS must not allocate one.
  SB_CUBLAS_CHECK(cublasSetWorkspace(h, memory.allocate<std::byte>(kWorkspaceBytes), kWorkspaceBytes));
}

void CublasLinear::linear(const __nv_bfloat16* weight, int n, int k, const __nv_bfloat16* x, std::int64_t x_row_stride,
                          int rows, __nv_bfloat16* out, bool accumulate) {
  gemm(weight, n, k, x, x_row_stride, rows, out, CUDA_R_16BF, accumulate);
}

void CublasLinear::linear(const __nv_bfloat16* weight, int n, int k, const __nv_bfloat16* x, std::int64_t x_row_stride,
                          int rows, float* out) {
  gemm(weight, n, k, x, x_row_stride, rows, out, CUDA_R_32F, false);
}

// cuBLAS is column-major. Row-major out[rows, n] is column-major out^T [n, rows] = W x^T, where the
// row-major weight [n, k] read column-major is W^T (so op T) and row-major x is x^T (op N): the
// "TN" GEMM, cuBLAS's fastest layout on tensor cores.
void CublasLinear::gemm(const __nv_bfloat16* weight, int n, int k, const __nv_bfloat16* x, std::int64_t x_row_stride,
                        int rows, void* out, cudaDataType_t out_type, bool accumulate) {
  const float alpha = 1.0f;
  const float beta = accumulate ? 1.0f : 0.0f;
  SB_CUBLAS_CHECK(cublasGemmEx(handle_.get(), CUBLAS_OP_T, CUBLAS_OP_N, n, rows, k, &alpha, weight, CUDA_R_16BF, k, x,
                               CUDA_R_16BF, static_cast<int>(x_row_stride), &beta, out, out_type, n, CUBLAS_COMPUTE_32F,
                               CUBLAS_GEMM_DEFAULT));
}

}  // namespace sb::llm
