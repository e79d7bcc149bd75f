#pragma once
// The generator behind synthetic weights (weights.hpp), as inline functions that compile for the
// CPU and, under nvcc, for the GPU too: the CUDA engine fills its bf16 weights on the device with
// exactly the values synthetic_weights() computes on the host.
#include <cstdint>

#if !defined(SB_HOST_DEVICE)
#if defined(__CUDACC__)
#define SB_HOST_DEVICE __host__ __device__
#else
#define SB_HOST_DEVICE
#endif
#endif

namespace sb::llm::synthetic {

// splitmix64's output function (Steele, Lea, Flood 2014): a bijective 64-bit mix whose outputs of
// consecutive inputs pass BigCrush, so hashing (stream, index) gives independent-looking values.
SB_HOST_DEVICE inline std::uint64_t mix64(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// Uniform in [-1, 1): 24 random bits, exact in fp32.
SB_HOST_DEVICE inline float uniform(std::uint64_t stream, std::uint64_t index) {
  const std::uint64_t bits = mix64(stream + index * 0x9e3779b97f4a7c15ULL);
  return static_cast<float>(bits >> 40) * (2.0f / 16777216.0f) - 1.0f;
}

// Element `index` of a tensor whose values are offset + scale * uniform. In double the product of
// two 24-bit values is exact, so the result is the same with or without fused multiply-add:
// identical weights on x86-64, aarch64 and in a CUDA kernel.
SB_HOST_DEVICE inline float weight(float offset, float scale, std::uint64_t stream, std::uint64_t index) {
  return static_cast<float>(offset + static_cast<double>(scale) * uniform(stream, index));
}

}  // namespace sb::llm::synthetic
