#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "llm/dtype.hpp"

namespace sb::llm {
namespace {

// Expected bit patterns from numpy 2.4 (np.float32(v).astype(np.float16)) and ml_dtypes 0.6
// (.astype(ml_dtypes.bfloat16)), both round to nearest, ties to even.
struct Narrowing {
  float value;
  std::uint16_t f16;
  std::uint16_t bf16;
};
constexpr Narrowing kNarrowing[] = {
    {1.0f, 0x3c00, 0x3f80},           {-2.0f, 0xc000, 0xc000},
    {0.1f, 0x2e66, 0x3dcd},           {1.0f / 3.0f, 0x3555, 0x3eab},
    {65504.0f, 0x7bff, 0x4780},       {65519.0f, 0x7bff, 0x4780},
    {65520.0f, 0x7c00, 0x4780},       {1e-7f, 0x0002, 0x33d7},
    {0x1p-24f, 0x0001, 0x3380},       {0x1p-25f, 0x0000, 0x3300},   // f16: exact tie between 0 and 2^-24, to even
    {0x1.8p-25f, 0x0001, 0x3340},     {1.00048828125f, 0x3c00, 0x3f80},  // 1 + 2^-11: f16 tie, to even
    {1.00146484375f, 0x3c02, 0x3f80}, {6.1e-5f, 0x03ff, 0x3880},    // just below the smallest f16 normal
    {3.0e38f, 0x7c00, 0x7f62},        {-1e-40f, 0x8000, 0x8001},
    {1.00390625f, 0x3c04, 0x3f80},    {1.01171875f, 0x3c0c, 0x3f82},  // 1 + 2^-8, 1 + 3 * 2^-8: bf16 ties
};

TEST(LlmDtype, NarrowingMatchesNumpyBitForBit) {
  for (const Narrowing& n : kNarrowing) {
    EXPECT_EQ(f32_to_f16(n.value), n.f16) << n.value;
    EXPECT_EQ(f32_to_bf16(n.value), n.bf16) << n.value;
  }
  EXPECT_EQ(f32_to_f16(std::numeric_limits<float>::infinity()), 0x7c00);
  EXPECT_TRUE(std::isnan(f16_to_f32(f32_to_f16(std::nanf("")))));
  EXPECT_TRUE(std::isnan(bf16_to_f32(f32_to_bf16(std::nanf("")))));
}

TEST(LlmDtype, WideningMatchesNumpy) {
  // np.uint16(bits).view(np.float16) / .view(ml_dtypes.bfloat16)
  EXPECT_EQ(f16_to_f32(0x0001), 5.960464477539063e-08f);  // smallest subnormal
  EXPECT_EQ(f16_to_f32(0x03ff), 6.097555160522461e-05f);  // largest subnormal
  EXPECT_EQ(f16_to_f32(0x0400), 6.103515625e-05f);
  EXPECT_EQ(f16_to_f32(0x7bff), 65504.0f);
  EXPECT_EQ(f16_to_f32(0x8001), -5.960464477539063e-08f);
  EXPECT_EQ(f16_to_f32(0x3555), 0.333251953125f);
  EXPECT_EQ(f16_to_f32(0xfc00), -std::numeric_limits<float>::infinity());
  EXPECT_EQ(bf16_to_f32(0x0001), 9.183549615799121e-41f);
  EXPECT_EQ(bf16_to_f32(0x7f7f), 3.3895313892515355e+38f);
  EXPECT_EQ(bf16_to_f32(0xc049), -3.140625f);
}

TEST(LlmDtype, EveryHalfRoundTrips) {
  for (std::uint32_t bits = 0; bits < 0x10000; ++bits) {
    const auto h = static_cast<std::uint16_t>(bits);
    const bool nan = (h & 0x7c00) == 0x7c00 && (h & 0x03ff) != 0;
    if (!nan) {
      ASSERT_EQ(f32_to_f16(f16_to_f32(h)), h) << std::hex << bits;
    }
    const bool bf_nan = (h & 0x7f80) == 0x7f80 && (h & 0x007f) != 0;
    if (!bf_nan) {
      ASSERT_EQ(f32_to_bf16(bf16_to_f32(h)), h) << std::hex << bits;
    }
  }
}

// to_bf16 narrows without an fp32 copy; it must give exactly what widening and then f32_to_bf16
// gives: every f16 pattern (subnormals, infinities, NaNs), random f32 patterns (all exponents,
// subnormals and NaNs among them) and special values, from a source at an odd address.
TEST(LlmDtype, ToBf16EqualsWideningThenRounding) {
  std::vector<std::byte> f16(1 + 2 * 0x10000);
  for (std::uint32_t bits = 0; bits < 0x10000; ++bits) {
    const auto h = static_cast<std::uint16_t>(bits);
    std::memcpy(f16.data() + 1 + 2 * bits, &h, 2);
  }
  std::vector<std::uint16_t> out(0x10000);
  to_bf16(DType::F16, f16.data() + 1, out.size(), out.data());
  for (std::uint32_t bits = 0; bits < 0x10000; ++bits) {
    ASSERT_EQ(out[bits], f32_to_bf16(f16_to_f32(static_cast<std::uint16_t>(bits)))) << std::hex << bits;
  }

  std::mt19937 rng(7);
  std::vector<std::uint32_t> patterns = {0x00000000, 0x80000000, 0x00000001, 0x807fffff, 0x00008000, 0x00018000,
                                         0x7f800000, 0xff800000, 0x7fc00000, 0x7f800001, 0xffffffff, 0x7f7fffff,
                                         0x3f808000, 0x3f818000, 0x3f807fff};
  for (int i = 0; i < 100000; ++i) patterns.push_back(static_cast<std::uint32_t>(rng()));
  std::vector<std::byte> f32(1 + 4 * patterns.size());
  std::memcpy(f32.data() + 1, patterns.data(), 4 * patterns.size());
  out.assign(patterns.size(), 0);
  to_bf16(DType::F32, f32.data() + 1, out.size(), out.data());
  for (std::size_t i = 0; i < patterns.size(); ++i) {
    ASSERT_EQ(out[i], f32_to_bf16(std::bit_cast<float>(patterns[i]))) << std::hex << patterns[i];
  }

  to_bf16(DType::BF16, f16.data() + 1, 0x10000, out.data());  // bf16 is copied as it is
  for (std::uint32_t bits = 0; bits < 0x10000; ++bits) ASSERT_EQ(out[bits], bits);
}

TEST(LlmDtype, NamesAndSizes) {
  EXPECT_EQ(dtype_from_string("bfloat16"), DType::BF16);
  EXPECT_EQ(dtype_from_string("float16"), DType::F16);
  EXPECT_EQ(dtype_from_string("f32"), DType::F32);
  EXPECT_FALSE(dtype_from_string("int8"));
  EXPECT_EQ(dtype_size(DType::BF16), 2u);
  EXPECT_EQ(to_string(DType::F16), "f16");
}

}  // namespace
}  // namespace sb::llm
