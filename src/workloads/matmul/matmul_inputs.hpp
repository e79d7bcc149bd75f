#pragma once
// The matmul inputs: a counter-based generator, the same code on the GPU (a fill kernel) and the
// CPU. Entry `index` of matrix `matrix` is a pure function of (seed, matrix, index), so the CPU can
// regenerate any entry of a GPU matrix exactly, without copying the matrix back.
#include <cstdint>

#if defined(__CUDACC__)
#define SB_HOST_DEVICE __host__ __device__
#else
#define SB_HOST_DEVICE
#endif

namespace sb::matmul {

enum class InputMatrix : std::uint32_t { A = 0, B = 1 };

// splitmix64's output function (Steele, Lea, Flood 2014): a bijective 64-bit mixer.
SB_HOST_DEVICE constexpr std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

// One key per (seed, matrix): the start of that matrix's splitmix64 stream.
SB_HOST_DEVICE constexpr std::uint64_t input_key(std::uint64_t seed, InputMatrix matrix) {
  return splitmix64(seed ^ splitmix64(static_cast<std::uint64_t>(matrix)));
}

// Uniform on [-1, 1) with 24 random bits: k / 2^23 - 1 for k in [0, 2^24), exact in float, so the
// value does not depend on how a compiler evaluates it. Never all zeros: 0 is one value of 2^24.
SB_HOST_DEVICE constexpr float input_value(std::uint64_t key, std::uint64_t index) {
  const auto k = static_cast<std::int32_t>(splitmix64(key + index * 0x9E3779B97F4A7C15ull) >> 40);
  return static_cast<float>(k - (1 << 23)) * (1.0f / static_cast<float>(1 << 23));
}

}  // namespace sb::matmul
