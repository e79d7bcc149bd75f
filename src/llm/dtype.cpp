#include "llm/dtype.hpp"

#include <array>
#include <bit>
#include <cmath>
#include <cstring>
#include <stdexcept>

namespace sb::llm {

// Weight files are little-endian; so is every machine sparkbench targets (x86-64, aarch64).
static_assert(std::endian::native == std::endian::little, "the weight readers assume a little-endian host");

std::size_t dtype_size(DType t) {
  switch (t) {
    case DType::F32: return 4;
    case DType::F16: return 2;
    case DType::BF16: return 2;
  }
  throw std::logic_error("dtype_size: unknown DType");
}

std::string to_string(DType t) {
  switch (t) {
    case DType::F32: return "f32";
    case DType::F16: return "f16";
    case DType::BF16: return "bf16";
  }
  throw std::logic_error("to_string: unknown DType");
}

std::optional<DType> dtype_from_string(std::string_view s) {
  if (s == "f32" || s == "fp32" || s == "float32") return DType::F32;
  if (s == "f16" || s == "fp16" || s == "float16") return DType::F16;
  if (s == "bf16" || s == "bfloat16") return DType::BF16;
  return std::nullopt;
}

float f16_to_f32(std::uint16_t bits) {
  const std::uint32_t sign = static_cast<std::uint32_t>(bits & 0x8000u) << 16;
  const std::uint32_t exponent = (bits >> 10) & 0x1fu;
  const std::uint32_t mantissa = bits & 0x3ffu;
  if (exponent == 0) {  // zero or subnormal: mantissa * 2^-24
    const float magnitude = std::ldexp(static_cast<float>(mantissa), -24);
    return sign ? -magnitude : magnitude;
  }
  if (exponent == 0x1f) return std::bit_cast<float>(sign | 0x7f800000u | (mantissa << 13));  // inf, NaN
  return std::bit_cast<float>(sign | ((exponent - 15 + 127) << 23) | (mantissa << 13));
}

float bf16_to_f32(std::uint16_t bits) {
  return std::bit_cast<float>(static_cast<std::uint32_t>(bits) << 16);
}

namespace {

// Drops the low `shift` bits of `value`, rounding to nearest with ties to even.
std::uint32_t shift_right_round_even(std::uint32_t value, unsigned shift) {
  const std::uint32_t kept = value >> shift;
  const std::uint32_t rest = value & ((1u << shift) - 1);
  const std::uint32_t half = 1u << (shift - 1);
  return kept + ((rest > half || (rest == half && (kept & 1u))) ? 1u : 0u);
}

}  // namespace

std::uint16_t f32_to_f16(float value) {
  const std::uint32_t x = std::bit_cast<std::uint32_t>(value);
  const std::uint32_t sign = (x >> 16) & 0x8000u;
  const std::uint32_t magnitude = x & 0x7fffffffu;
  if (magnitude > 0x7f800000u) return static_cast<std::uint16_t>(sign | 0x7e00u | ((magnitude >> 13) & 0x3ffu));
  if (magnitude >= 0x477ff000u) return static_cast<std::uint16_t>(sign | 0x7c00u);  // >= 65520 rounds to inf
  if (magnitude < 0x38800000u) {  // below 2^-14: a half subnormal, in units of 2^-24
    if (magnitude < 0x33000000u) return static_cast<std::uint16_t>(sign);  // below 2^-25: rounds to zero
    const std::uint32_t exponent = magnitude >> 23;
    const std::uint32_t significand = (magnitude & 0x7fffffu) | 0x800000u;
    return static_cast<std::uint16_t>(sign | shift_right_round_even(significand, 126 - exponent));
  }
  // Normal: rebias the exponent; a carry out of the mantissa correctly bumps the exponent.
  const std::uint32_t rebiased = magnitude - ((127u - 15u) << 23);
  return static_cast<std::uint16_t>(sign | shift_right_round_even(rebiased, 13));
}

std::uint16_t f32_to_bf16(float value) {
  const std::uint32_t x = std::bit_cast<std::uint32_t>(value);
  if ((x & 0x7fffffffu) > 0x7f800000u) return static_cast<std::uint16_t>((x >> 16) | 0x40u);  // quiet NaN
  return static_cast<std::uint16_t>(shift_right_round_even(x, 16));
}

void to_f32(DType t, const std::byte* src, std::size_t count, float* dst) {
  switch (t) {
    case DType::F32:
      std::memcpy(dst, src, count * sizeof(float));
      return;
    case DType::F16:
    case DType::BF16:
      for (std::size_t i = 0; i < count; ++i) {
        std::uint16_t bits;
        std::memcpy(&bits, src + 2 * i, 2);
        dst[i] = t == DType::F16 ? f16_to_f32(bits) : bf16_to_f32(bits);
      }
      return;
  }
}

namespace {

// bf16(f16) for every f16 bit pattern, computed with the scalar conversions above, so that the
// table is exact by construction; 128 KiB, which stays in the cache while a tensor streams through.
const std::array<std::uint16_t, 0x10000>& f16_to_bf16_table() {
  static const auto table = [] {
    std::array<std::uint16_t, 0x10000> t{};
    for (std::uint32_t bits = 0; bits < t.size(); ++bits) t[bits] = f32_to_bf16(f16_to_f32(static_cast<std::uint16_t>(bits)));
    return t;
  }();
  return table;
}

}  // namespace

void to_bf16(DType t, const std::byte* src, std::size_t count, std::uint16_t* dst) {
  switch (t) {
    case DType::BF16:
      std::memcpy(dst, src, count * sizeof(std::uint16_t));
      return;
    case DType::F16: {
      const std::array<std::uint16_t, 0x10000>& table = f16_to_bf16_table();
      for (std::size_t i = 0; i < count; ++i) {
        std::uint16_t bits;
        std::memcpy(&bits, src + 2 * i, 2);
        dst[i] = table[bits];
      }
      return;
    }
    case DType::F32:
      for (std::size_t i = 0; i < count; ++i) {
        float value;
        std::memcpy(&value, src + 4 * i, 4);
        dst[i] = f32_to_bf16(value);
      }
      return;
  }
}

}  // namespace sb::llm
