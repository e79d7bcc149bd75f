#pragma once
// An owned cuBLAS handle, its work put on one stream (CUDA builds only; *_cuda.cpp files).
#include <memory>
#include <type_traits>

#include <cublas_v2.h>

#include "core/cuda_status.hpp"

namespace sb::cuda {

struct CublasDestroy {
  void operator()(cublasHandle_t h) const noexcept { cublasDestroy(h); }
};
using CublasHandle = std::unique_ptr<std::remove_pointer_t<cublasHandle_t>, CublasDestroy>;

inline CublasHandle make_cublas_handle(cudaStream_t stream) {
  cublasHandle_t handle = nullptr;
  SB_CUBLAS_CHECK(cublasCreate(&handle));
  CublasHandle owned(handle);
  SB_CUBLAS_CHECK(cublasSetStream(handle, stream));
  return owned;
}

}  // namespace sb::cuda
