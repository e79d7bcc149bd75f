#pragma once
// The floating-point formats that model weights come in, and their conversion to fp32 (the
// reference engine computes in fp32; the CUDA engine keeps bf16).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sb::llm {

enum class DType { F32, F16, BF16 };

std::size_t dtype_size(DType t);  // bytes per element
std::string to_string(DType t);   // "f32", "f16", "bf16"
// Accepts our names and Hugging Face's torch_dtype spellings ("float32", "float16", "bfloat16");
// nullopt for anything else.
std::optional<DType> dtype_from_string(std::string_view s);

// IEEE 754 binary16 and bfloat16 bit patterns. Narrowing rounds to nearest, ties to even, as
// torch's .to(torch.bfloat16) / numpy's astype(float16) do; NaN stays NaN, overflow gives inf.
float f16_to_f32(std::uint16_t bits);
float bf16_to_f32(std::uint16_t bits);
std::uint16_t f32_to_f16(float value);
std::uint16_t f32_to_bf16(float value);

// Widens `count` little-endian elements of type `t` at `src` (any alignment) into `dst`.
void to_f32(DType t, const std::byte* src, std::size_t count, float* dst);

// Narrows `count` little-endian elements of type `t` at `src` (any alignment) to bf16 bit
// patterns: element for element f32_to_bf16 of what to_f32 gives, without an fp32 copy (F16 through
// a table of all 65536 results, BF16 copied as it is).
void to_bf16(DType t, const std::byte* src, std::size_t count, std::uint16_t* dst);

}  // namespace sb::llm
