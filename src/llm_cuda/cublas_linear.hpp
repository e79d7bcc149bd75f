#pragma once
// Linear layers through cuBLAS: bf16 inputs, fp32 accumulation (also in split-K reductions), bf16
// or fp32 outputs, on the engine's stream, with a fixed workspace so that the calls can be
// captured into a CUDA graph.
#include <cstdint>
#include <memory>
#include <type_traits>

#include <cublas_v2.h>
#include <cuda_bf16.h>

#include "llm_cuda/device_allocations.hpp"

namespace sb::llm {

class CublasLinear {
 public:
  CublasLinear(cudaStream_t stream, DeviceAllocations& memory);

  // out[rows, n] = x[rows, k] weight[n, k]^T (+ out when accumulate: the residual add as beta = 1);
  // x rows are x_row_stride elements apart, out is compact.
  void linear(const __nv_bfloat16* weight, int n, int k, const __nv_bfloat16* x, std::int64_t x_row_stride, int rows,
              __nv_bfloat16* out, bool accumulate);
  void linear(const __nv_bfloat16* weight, int n, int k, const __nv_bfloat16* x, std::int64_t x_row_stride, int rows,
              float* out);

 private:
  struct Destroy {
    void operator()(cublasHandle_t h) const noexcept { cublasDestroy(h); }
  };
  void gemm(const __nv_bfloat16* weight, int n, int k, const __nv_bfloat16* x, std::int64_t x_row_stride, int rows,
            void* out, cudaDataType_t out_type, bool accumulate);

  std::unique_ptr<std::remove_pointer_t<cublasHandle_t>, Destroy> handle_;
};

}  // namespace sb::llm
