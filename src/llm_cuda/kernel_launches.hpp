#pragma once
// Between the engine's kernels (the .cu files: device code, compiled by nvcc) and their public
// launchers in kernels.hpp (kernels_cuda.cpp: argument checks and errors, compiled by the host
// compiler; nvcc cannot compile fmt's compile-time format checks in C++20). Each function here
// launches with arguments already checked and returns the launch's CUDA error.
#include <cstdint>

#include <cuda_runtime_api.h>

#include "llm_cuda/kernels.hpp"

namespace sb::llm::kernels::launch {

cudaError_t embed_tokens(const std::int32_t* tokens, int rows, const bf16* embedding, int hidden, bf16* out,
                         cudaStream_t stream);
cudaError_t rms_norm(const bf16* x, std::int64_t x_row_stride, const bf16* weight, int rows, int hidden, float eps,
                     bf16* out, cudaStream_t stream);
cudaError_t add_bias(bf16* x, const bf16* bias, int rows, int features, cudaStream_t stream);
// Positions start .. start + new_tokens - 1, start = *device_start when device_start is not null.
cudaError_t rope_and_store_kv(const bf16* qkv, const float* inv_freq, bf16* q_out, bf16* k_cache, bf16* v_cache,
                              const AttentionShape& shape, int new_tokens, int host_start, const int* device_start,
                              cudaStream_t stream);
cudaError_t swiglu_in_place(bf16* gate_up, int rows, int intermediate, cudaStream_t stream);
cudaError_t gemv(const bf16* weight, int n, int k, const bf16* x, std::int64_t x_row_stride, int rows, bf16* out,
                 bool accumulate, cudaStream_t stream);
cudaError_t gemv(const bf16* weight, int n, int k, const bf16* x, std::int64_t x_row_stride, int rows, float* out,
                 cudaStream_t stream);
cudaError_t gemv_swiglu(const bf16* gate_up_weight, int intermediate, int k, const bf16* x, std::int64_t x_row_stride,
                        int rows, bf16* gate_up, cudaStream_t stream);
cudaError_t argmax(const float* logits, int rows, int vocab, ArgmaxSlot* slots, std::int32_t* tokens,
                   int* advance_position, cudaStream_t stream);
cudaError_t fill_synthetic_weights(bf16* out, std::int64_t count, std::uint64_t stream_id, float offset, float scale,
                                   cudaStream_t stream);

}  // namespace sb::llm::kernels::launch
