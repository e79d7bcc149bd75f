// SwiGLU on the fused gate/up projection, in place: each thread reads 8 gate and 8 up values and
// writes the 8 products over the gate values it read, so no thread overwrites another's input.
#include <algorithm>

#include "llm_cuda/kernel_launches.hpp"
#include "llm_cuda/kernel_support.cuh"

namespace sb::llm::kernels {
namespace {

__global__ void swiglu_kernel(uint4* gate_up, std::int64_t rows, int vectors_per_half) {
  let_next_kernel_start();
  wait_for_previous_kernel();
  const std::int64_t count = rows * vectors_per_half;
  const std::int64_t stride = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
  for (std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < count; i += stride) {
    const std::int64_t row = i / vectors_per_half;
    uint4* gate_at = gate_up + row * 2 * vectors_per_half + i % vectors_per_half;
    float gate[8], up[8];
    unpack(*gate_at, gate);
    unpack(gate_at[vectors_per_half], up);
#pragma unroll
    for (int j = 0; j < 8; ++j) gate[j] = gate[j] / (1.0f + expf(-gate[j])) * up[j];
    *gate_at = pack(gate);
  }
}

}  // namespace

cudaError_t launch::swiglu_in_place(bf16* gate_up, int rows, int intermediate, cudaStream_t stream) {
  const std::int64_t vectors = static_cast<std::int64_t>(rows) * (intermediate / 8);
  const int blocks = static_cast<int>(std::min<std::int64_t>((vectors + 255) / 256, 65535));
  return launch_overlapping(swiglu_kernel, blocks, 256, stream, reinterpret_cast<uint4*>(gate_up),
                            static_cast<std::int64_t>(rows), intermediate / 8);
}

}  // namespace sb::llm::kernels
