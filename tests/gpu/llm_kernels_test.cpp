// The CUDA engine's kernels (src/llm_cuda/kernels.hpp, all but attention) against CPU computations
// on random inputs. Inputs are bf16 values, so the CPU sees exactly what the GPU sees; bounds are
// bf16's unit roundoff u = 2^-8 on the rounded output plus the fp32 error of the GPU's arithmetic.
#include <gtest/gtest.h>

#if SPARKBENCH_HAVE_CUDA
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "core/cuda_resources.hpp"
#include "core/gpu_presence.hpp"
#include "llm/dtype.hpp"
#include "llm/model_config.hpp"
#include "llm/reference_ops.hpp"
#include "llm/rope.hpp"
#include "llm/synthetic_generator.hpp"
#include "llm/weights.hpp"
#include "llm_cuda/kernels.hpp"

namespace sb::llm {
namespace {

using kernels::bf16;
constexpr double kBf16Roundoff = 1.0 / 256;  // u = 2^-8: 8 significant bits
constexpr double kFp32Roundoff = 1.0 / 16777216;

template <class T>
cuda::DeviceArray<T> to_device(const std::vector<T>& host) {
  auto d = cuda::device_array<T>(std::max<std::size_t>(host.size(), 1));
  SB_CUDA_CHECK(cudaMemcpy(d.get(), host.data(), host.size() * sizeof(T), cudaMemcpyHostToDevice));
  return d;
}

template <class T>
std::vector<T> to_host(const void* device, std::size_t count) {
  std::vector<T> host(count);
  SB_CUDA_CHECK(cudaDeviceSynchronize());
  SB_CUDA_CHECK(cudaMemcpy(host.data(), device, count * sizeof(T), cudaMemcpyDeviceToHost));
  return host;
}

bf16* as_bf16(const cuda::DeviceArray<std::uint16_t>& d) { return reinterpret_cast<bf16*>(d.get()); }
float value(std::uint16_t bits) { return bf16_to_f32(bits); }

// Uniform bf16 values in [low, high) as bit patterns.
std::vector<std::uint16_t> random_bf16(std::size_t count, std::mt19937_64& rng, float low, float high) {
  std::uniform_real_distribution<float> u(low, high);
  std::vector<std::uint16_t> bits(count);
  for (auto& b : bits) b = f32_to_bf16(u(rng));
  return bits;
}

class LlmKernels : public ::testing::Test {
 protected:
  void SetUp() override {
    if (const GpuPresence& gpu = gpu_presence(); !gpu.present)
      GTEST_SKIP() << "SKIPPED: no usable CUDA device: " << gpu.reason;
    // Inputs are put in place with cudaMemcpy and cudaMemset on the legacy default stream, and a
    // pageable cudaMemcpy returns before its DMA ends. A blocking stream waits for that work; a
    // non-blocking one (cuda::make_stream) once let argmax read a row whose copy was still running.
    cudaStream_t s = nullptr;
    SB_CUDA_CHECK(cudaStreamCreate(&s));
    stream_.reset(s);
  }
  cudaStream_t stream() const { return stream_.get(); }
  std::mt19937_64 rng_{20240611};
  cuda::Stream stream_;
};

TEST_F(LlmKernels, EmbedTokensCopiesTheTokensRows) {
  const int vocab = 300, hidden = 136;
  const auto table = random_bf16(static_cast<std::size_t>(vocab) * hidden, rng_, -1, 1);
  const std::vector<std::int32_t> tokens = {5, 299, 0, 5, 17};
  const auto d_table = to_device(table);
  const auto d_tokens = to_device(tokens);
  auto d_out = cuda::device_array<std::uint16_t>(tokens.size() * hidden);
  kernels::embed_tokens(d_tokens.get(), static_cast<int>(tokens.size()), as_bf16(d_table), hidden, as_bf16(d_out), stream());
  const auto out = to_host<std::uint16_t>(d_out.get(), tokens.size() * hidden);
  for (std::size_t r = 0; r < tokens.size(); ++r)
    for (int i = 0; i < hidden; ++i) ASSERT_EQ(out[r * hidden + i], table[tokens[r] * hidden + i]) << r << "," << i;
}

// Strided rows (the final norm's last positions) and a row longer than 1024 vectors (a loop per thread).
TEST_F(LlmKernels, RmsNormMatchesCpu) {
  for (const int hidden : {128, 1000, 8256}) {
    const int rows = 3;
    const std::int64_t stride = 2 * hidden + 8;
    const auto x = random_bf16(static_cast<std::size_t>(rows * stride), rng_, -3, 3);
    const auto weight = random_bf16(static_cast<std::size_t>(hidden), rng_, 0.5f, 1.5f);
    const auto d_x = to_device(x);
    const auto d_w = to_device(weight);
    auto d_out = cuda::device_array<std::uint16_t>(static_cast<std::size_t>(rows) * hidden);
    kernels::rms_norm(as_bf16(d_x), stride, as_bf16(d_w), rows, hidden, 1e-5f, as_bf16(d_out), stream());
    const auto out = to_host<std::uint16_t>(d_out.get(), static_cast<std::size_t>(rows) * hidden);

    std::vector<float> w(hidden);
    std::transform(weight.begin(), weight.end(), w.begin(), value);
    for (int r = 0; r < rows; ++r) {
      std::vector<float> row(hidden), expected(hidden);
      for (int i = 0; i < hidden; ++i) row[i] = value(x[r * stride + i]);
      rms_norm(row, w, 1e-5, expected);
      for (int i = 0; i < hidden; ++i) {
        // fp32 sum of `hidden` squares and a few products before the one rounding to bf16.
        const double bound = std::abs(expected[i]) * (kBf16Roundoff + (hidden + 8) * kFp32Roundoff);
        ASSERT_NEAR(value(out[r * hidden + i]), expected[i], bound) << "hidden " << hidden << " row " << r << " i " << i;
      }
    }
  }
}

TEST_F(LlmKernels, AddBiasIsTheRoundedSum) {
  const int rows = 4, features = 200;
  const auto x = random_bf16(rows * features, rng_, -2, 2);
  const auto bias = random_bf16(features, rng_, -0.1f, 0.1f);
  auto d_x = to_device(x);
  const auto d_bias = to_device(bias);
  kernels::add_bias(as_bf16(d_x), as_bf16(d_bias), rows, features, stream());
  const auto out = to_host<std::uint16_t>(d_x.get(), x.size());
  for (int i = 0; i < rows * features; ++i)
    ASSERT_EQ(out[i], f32_to_bf16(value(x[i]) + value(bias[i % features]))) << i;
}

// q is rotated into q_out, k rotated and v copied into the cache rows of their positions; the rest
// of the cache keeps its sentinel (all-ones bits, a NaN).
class RopeCase {
 public:
  RopeCase(const ModelConfig& c, int batch, int new_tokens, int capacity, std::mt19937_64& rng)
      : shape_{.batch = batch, .num_heads = 4, .num_kv_heads = 2, .head_dim = static_cast<int>(c.head_dim),
               .capacity = capacity, .scale = 0},
        new_tokens_(new_tokens),
        inv_freq_(rope_inverse_frequencies(c)),
        qkv_(random_bf16(static_cast<std::size_t>(rows() * row_width()), rng, -2, 2)),
        d_qkv_(to_device(qkv_)),
        d_q_(cuda::device_array<std::uint16_t>(static_cast<std::size_t>(rows() * q_dim()))),
        d_k_(cuda::device_array<std::uint16_t>(cache_elements())),
        d_v_(cuda::device_array<std::uint16_t>(cache_elements())) {
    const std::vector<float> as_float(inv_freq_.begin(), inv_freq_.end());
    d_inv_freq_ = to_device(as_float);
    SB_CUDA_CHECK(cudaMemset(d_k_.get(), 0xFF, cache_elements() * 2));
    SB_CUDA_CHECK(cudaMemset(d_v_.get(), 0xFF, cache_elements() * 2));
  }

  void run_prefill(int start, cudaStream_t s) {
    kernels::rope_and_store_kv(as_bf16(d_qkv_), d_inv_freq_.get(), as_bf16(d_q_), as_bf16(d_k_), as_bf16(d_v_), shape_,
                               new_tokens_, start, s);
    check(start);
  }
  void run_decode(int position, cudaStream_t s) {
    const auto d_position = to_device(std::vector<int>{position});
    kernels::rope_and_store_kv_decode(as_bf16(d_qkv_), d_inv_freq_.get(), as_bf16(d_q_), as_bf16(d_k_), as_bf16(d_v_),
                                      shape_, d_position.get(), s);
    check(position);
  }

 private:
  int q_dim() const { return shape_.num_heads * shape_.head_dim; }
  int kv_dim() const { return shape_.num_kv_heads * shape_.head_dim; }
  int row_width() const { return q_dim() + 2 * kv_dim(); }
  int rows() const { return shape_.batch * new_tokens_; }
  std::size_t cache_elements() const { return static_cast<std::size_t>(shape_.batch) * shape_.capacity * kv_dim(); }

  // One head, rotated on the CPU (apply_rope, double), against the GPU's bf16 result. The GPU's
  // angle is position * float(inv_freq) in fp32: relative error <= 2 * 2^-24, so the rotated values
  // may move by (|a| + |b|) * position * 2^-23, plus fp32 rounding, before the bf16 rounding.
  void expect_rotated(const std::uint16_t* in, const std::uint16_t* out, int position, const char* what) const {
    const int d = shape_.head_dim;
    std::vector<float> x(d);
    for (int i = 0; i < d; ++i) x[i] = value(in[i]);
    std::vector<float> rotated = x;
    apply_rope(rotated.data(), d, position, inv_freq_);
    for (int i = 0; i < d; ++i) {
      const int pair = i < d / 2 ? i + d / 2 : i - d / 2;
      const double magnitude = std::abs(x[i]) + std::abs(x[pair]);
      const double bound = kBf16Roundoff * std::abs(rotated[i]) + 1.01 * magnitude * (position + 8) * 2 * kFp32Roundoff;
      ASSERT_NEAR(value(out[i]), rotated[i], bound) << what << " element " << i << " position " << position;
    }
  }

  void check(int start) const {
    const auto q = to_host<std::uint16_t>(d_q_.get(), static_cast<std::size_t>(rows() * q_dim()));
    const auto k = to_host<std::uint16_t>(d_k_.get(), cache_elements());
    const auto v = to_host<std::uint16_t>(d_v_.get(), cache_elements());
    std::vector<bool> written(cache_elements() / kv_dim(), false);
    for (int r = 0; r < rows(); ++r) {
      const int sequence = r / new_tokens_;
      const int position = start + r % new_tokens_;
      const std::uint16_t* in = &qkv_[static_cast<std::size_t>(r) * row_width()];
      for (int h = 0; h < shape_.num_heads; ++h)
        expect_rotated(in + h * shape_.head_dim, &q[static_cast<std::size_t>(r) * q_dim() + h * shape_.head_dim], position, "q");
      const std::size_t cache_row = static_cast<std::size_t>(sequence) * shape_.capacity + position;
      written[cache_row] = true;
      for (int h = 0; h < shape_.num_kv_heads; ++h)
        expect_rotated(in + q_dim() + h * shape_.head_dim, &k[cache_row * kv_dim() + h * shape_.head_dim], position, "k");
      for (int i = 0; i < kv_dim(); ++i) ASSERT_EQ(v[cache_row * kv_dim() + i], in[q_dim() + kv_dim() + i]);
    }
    for (std::size_t row = 0; row < written.size(); ++row) {
      if (written[row]) continue;
      for (int i = 0; i < kv_dim(); ++i) {
        ASSERT_EQ(k[row * kv_dim() + i], 0xFFFF) << "cache row " << row << " was written";
        ASSERT_EQ(v[row * kv_dim() + i], 0xFFFF) << "cache row " << row << " was written";
      }
    }
  }

  kernels::AttentionShape shape_;
  int new_tokens_;
  std::vector<double> inv_freq_;
  std::vector<std::uint16_t> qkv_;
  cuda::DeviceArray<std::uint16_t> d_qkv_;
  cuda::DeviceArray<float> d_inv_freq_;
  cuda::DeviceArray<std::uint16_t> d_q_, d_k_, d_v_;
};

// tiny: head_dim 32 with llama3 scaling (some frequencies kept, one blended, the rest divided);
// Llama 3.1 8B: head_dim 128, theta 500000.
TEST_F(LlmKernels, RopeAndStoreKvMatchesApplyRope) {
  for (const char* model : {"tiny", "llama-3.1-8b"}) {
    SCOPED_TRACE(model);
    const ModelConfig c = builtin_model(model);
    RopeCase(c, 2, 5, 1010, rng_).run_prefill(0, stream());
    RopeCase(c, 2, 5, 1010, rng_).run_prefill(1003, stream());
    RopeCase(c, 3, 1, 4096, rng_).run_decode(4095, stream());
  }
}

TEST_F(LlmKernels, SwigluInPlaceMatchesCpu) {
  const int rows = 3, intermediate = 392;
  const auto gate_up = random_bf16(static_cast<std::size_t>(rows) * 2 * intermediate, rng_, -6, 6);
  auto d = to_device(gate_up);
  kernels::swiglu_in_place(as_bf16(d), rows, intermediate, stream());
  const auto out = to_host<std::uint16_t>(d.get(), gate_up.size());
  for (int r = 0; r < rows; ++r) {
    for (int i = 0; i < intermediate; ++i) {
      const std::size_t at = static_cast<std::size_t>(r) * 2 * intermediate + i;
      const double g = value(gate_up[at]);
      const double expected = g / (1 + std::exp(-g)) * value(gate_up[at + intermediate]);
      // expf, a division and two products in fp32 (a few ulp) before the bf16 rounding.
      ASSERT_NEAR(value(out[at]), expected, std::abs(expected) * (kBf16Roundoff + 16 * kFp32Roundoff)) << r << "," << i;
      ASSERT_EQ(out[at + intermediate], gate_up[at + intermediate]) << "the up half is left alone";
    }
  }
}

// out (+)= weight x against double-precision dot products, for the given row counts, with strided
// input rows (k + 16 apart) and a residual to accumulate onto.
void check_gemv_against_double_dot(int n, int k, const std::vector<int>& row_counts, std::mt19937_64& rng,
                                   cudaStream_t stream) {
  const std::int64_t stride = k + 16;
  const auto weight = random_bf16(static_cast<std::size_t>(n) * k, rng, -1, 1);
  const auto x = random_bf16(static_cast<std::size_t>(kernels::kGemvMaxRows * stride), rng, -1, 1);
  const auto residual = random_bf16(static_cast<std::size_t>(kernels::kGemvMaxRows) * n, rng, -4, 4);
  const auto d_w = to_device(weight);
  const auto d_x = to_device(x);
  for (const int rows : row_counts) {
    auto d_out = to_device(residual);
    auto d_logits = cuda::device_array<float>(static_cast<std::size_t>(rows) * n);
    kernels::gemv(as_bf16(d_w), n, k, as_bf16(d_x), stride, rows, as_bf16(d_out), true, stream);
    kernels::gemv(as_bf16(d_w), n, k, as_bf16(d_x), stride, rows, d_logits.get(), stream);
    const auto out = to_host<std::uint16_t>(d_out.get(), static_cast<std::size_t>(rows) * n);
    const auto logits = to_host<float>(d_logits.get(), static_cast<std::size_t>(rows) * n);
    for (int r = 0; r < rows; ++r) {
      for (int j = 0; j < n; ++j) {
        double dot = 0, magnitude = 0;
        for (int i = 0; i < k; ++i) {
          const double p = static_cast<double>(value(weight[static_cast<std::size_t>(j) * k + i])) * value(x[r * stride + i]);
          dot += p;
          magnitude += std::abs(p);
        }
        // Each lane sums at most k / 32 products in order, then 5 shuffle levels and at most 7 adds of
        // the warps sharing a feature: error <= (k/32 + 12) u32 sum|w x|.
        const double fp32_bound = (k / 32 + 12) * kFp32Roundoff * magnitude;
        ASSERT_NEAR(logits[r * n + j], dot, fp32_bound) << "n " << n << " rows " << rows << " r " << r << " j " << j;
        const double with_residual = dot + value(residual[r * n + j]);
        ASSERT_NEAR(value(out[r * n + j]), with_residual,
                    kBf16Roundoff * std::abs(with_residual) + 1.01 * (fp32_bound + kFp32Roundoff * std::abs(with_residual)))
            << "n " << n << " rows " << rows << " r " << r << " j " << j;
      }
    }
  }
}

// Every row count 1..8 on a weight of few rows (on an H200 8 warps share each feature), a feature
// count that is not a multiple of the features per block, a k that is not a multiple of what a warp
// reads per round; then weights whose rows are shared by 4 and 2 warps, and one of many long rows
// (one warp per feature).
TEST_F(LlmKernels, GemvMatchesDoubleDot) {
  check_gemv_against_double_dot(1003, 4096 + 24, {1, 2, 3, 4, 5, 6, 7, 8}, rng_, stream());
  check_gemv_against_double_dot(3001, 264, {2}, rng_, stream());
  check_gemv_against_double_dot(5001, 264, {1, 3}, rng_, stream());
  check_gemv_against_double_dot(9001, 8192 + 8, {1, 8}, rng_, stream());
}

void check_gemv_swiglu_equals_gemv_then_swiglu(int intermediate, int k, const std::vector<int>& row_counts,
                                               std::mt19937_64& rng, cudaStream_t stream) {
  const std::int64_t stride = k + 8;
  const auto weight = random_bf16(static_cast<std::size_t>(2 * intermediate) * k, rng, -1, 1);
  const auto x = random_bf16(static_cast<std::size_t>(kernels::kGemvMaxRows * stride), rng, -1, 1);
  const auto untouched = random_bf16(static_cast<std::size_t>(kernels::kGemvMaxRows) * 2 * intermediate, rng, -4, 4);
  const auto d_w = to_device(weight);
  const auto d_x = to_device(x);
  for (const int rows : row_counts) {
    auto d_unfused = to_device(untouched);
    auto d_fused = to_device(untouched);
    kernels::gemv(as_bf16(d_w), 2 * intermediate, k, as_bf16(d_x), stride, rows, as_bf16(d_unfused), false, stream);
    kernels::swiglu_in_place(as_bf16(d_unfused), rows, intermediate, stream);
    kernels::gemv_swiglu(as_bf16(d_w), intermediate, k, as_bf16(d_x), stride, rows, as_bf16(d_fused), stream);
    const std::size_t count = static_cast<std::size_t>(rows) * 2 * intermediate;
    const auto unfused = to_host<std::uint16_t>(d_unfused.get(), count);
    const auto fused = to_host<std::uint16_t>(d_fused.get(), count);
    int nonzero = 0;
    for (int r = 0; r < rows; ++r) {
      for (int i = 0; i < intermediate; ++i) {
        const std::size_t at = static_cast<std::size_t>(r) * 2 * intermediate + i;
        ASSERT_EQ(fused[at], unfused[at]) << "intermediate " << intermediate << " rows " << rows << " r " << r << " i " << i;
        ASSERT_EQ(fused[at + intermediate], untouched[at + intermediate]) << "the up half is not written";
        nonzero += value(fused[at]) != 0;
      }
    }
    EXPECT_GT(nonzero, rows * intermediate / 2) << "random inputs give mostly nonzero products";
  }
}

// The fused gate/up GEMV with SwiGLU leaves, bit for bit, what the GEMV into the whole gate_up
// buffer followed by swiglu_in_place leaves in the first half of every row; the second half is not
// written. Every row count with a k that is not a multiple of what a warp reads per round and
// strided input rows (on an H200 4 warps share each feature), then Llama 3.1 8B's shape.
TEST_F(LlmKernels, GemvSwigluEqualsGemvThenSwiglu) {
  check_gemv_swiglu_equals_gemv_then_swiglu(1000, 2048 + 40, {1, 2, 3, 4, 5, 6, 7, 8}, rng_, stream());
  check_gemv_swiglu_equals_gemv_then_swiglu(14336, 4096, {1, 8}, rng_, stream());
}

TEST_F(LlmKernels, GemvRejectsMoreRowsThanItHandles) {
  EXPECT_THROW(kernels::gemv(nullptr, 8, 8, nullptr, 8, kernels::kGemvMaxRows + 1, static_cast<float*>(nullptr), stream()),
               Error);
}

// Ties go to the lowest index (torch.argmax), within a warp, across warps, and over a constant row.
TEST_F(LlmKernels, ArgmaxTakesTheFirstMaximumAndAdvancesThePosition) {
  const int vocab = 128256, rows = 4;
  std::normal_distribution<float> normal(0, 2);
  std::vector<float> logits(static_cast<std::size_t>(rows) * vocab);
  for (float& v : logits) v = normal(rng_);
  logits[0 * vocab + 70000] = logits[0 * vocab + 70001] = 50;          // neighbouring threads of one warp
  logits[1 * vocab + 5] = logits[1 * vocab + vocab - 1] = 50;          // different warps and rounds
  std::fill(logits.begin() + 2 * vocab, logits.begin() + 3 * vocab, 1.5f);  // all equal
  logits[3 * vocab + vocab - 1] = 50;                                  // the last index
  const auto d_logits = to_device(logits);
  auto d_tokens = cuda::device_array<std::int32_t>(rows);
  auto d_position = to_device(std::vector<int>{41});
  auto d_slots = cuda::device_array<kernels::ArgmaxSlot>(rows);
  SB_CUDA_CHECK(cudaMemset(d_slots.get(), 0, sizeof(kernels::ArgmaxSlot) * rows));

  kernels::argmax(d_logits.get(), rows, vocab, d_slots.get(), d_tokens.get(), d_position.get(), stream());
  EXPECT_EQ(to_host<std::int32_t>(d_tokens.get(), rows), (std::vector<std::int32_t>{70000, 5, 0, vocab - 1}));
  EXPECT_EQ(to_host<int>(d_position.get(), 1)[0], 42);
  kernels::argmax(d_logits.get(), rows, vocab, d_slots.get(), d_tokens.get(), nullptr, stream());
  EXPECT_EQ(to_host<int>(d_position.get(), 1)[0], 42) << "no position to advance: left alone";

  // Random rows against the CPU reference's argmax, over many calls that reuse the slots (each call
  // must leave them zeroed), each right after its rows were copied to the GPU.
  std::uniform_real_distribution<float> u(-10, 10);
  constexpr int kBatches = 4, kCalls = 200;
  std::vector<std::vector<float>> batches(kBatches);
  std::vector<std::vector<std::int32_t>> expected(kBatches);
  for (int b = 0; b < kBatches; ++b) {
    for (float& v : logits) v = u(rng_);
    for (int r = 0; r < rows; ++r)
      expected[b].push_back(argmax(std::span<const float>(logits).subspan(static_cast<std::size_t>(r) * vocab, vocab)));
    batches[b] = logits;
  }
  int wrong = 0;
  for (int call = 0; call < kCalls; ++call) {
    const int b = call % kBatches;
    const auto d_random = to_device(batches[b]);
    kernels::argmax(d_random.get(), rows, vocab, d_slots.get(), d_tokens.get(), nullptr, stream());
    const auto tokens = to_host<std::int32_t>(d_tokens.get(), rows);
    for (int r = 0; r < rows; ++r) {
      if (tokens[r] == expected[b][r]) continue;
      if (++wrong <= 5) ADD_FAILURE() << "call " << call << " row " << r << ": " << tokens[r] << ", expected " << expected[b][r];
    }
  }
  EXPECT_EQ(wrong, 0) << "wrong tokens in " << kCalls << " calls of " << rows << " rows";
  for (const std::uint8_t byte : to_host<std::uint8_t>(d_slots.get(), sizeof(kernels::ArgmaxSlot) * rows))
    ASSERT_EQ(byte, 0) << "the slots are left zeroed";
}

// NaN logits are skipped (a row of them gives token 0), -0 and +0 tie (the lower index wins), and
// -inf is a candidate like any other value; a short vocabulary uses fewer blocks than a long one.
TEST_F(LlmKernels, ArgmaxSkipsNanAndTiesSignedZeros) {
  const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
  const int vocab = 1001, rows = 4;
  std::vector<float> logits(static_cast<std::size_t>(rows) * vocab, -inf);
  logits[0 * vocab + 3] = nan;
  logits[0 * vocab + 900] = -1;                                   // NaN elsewhere is not the maximum
  std::fill(logits.begin() + vocab, logits.begin() + 2 * vocab, nan);  // all NaN: token 0
  logits[2 * vocab + 700] = 0.0f;
  logits[2 * vocab + 600] = -0.0f;                                // equal to +0: the lower index
  logits[3 * vocab + 17] = -inf;                                  // every value -inf: the first index
  const auto d_logits = to_device(logits);
  auto d_tokens = cuda::device_array<std::int32_t>(rows);
  auto d_slots = cuda::device_array<kernels::ArgmaxSlot>(rows);
  SB_CUDA_CHECK(cudaMemset(d_slots.get(), 0, sizeof(kernels::ArgmaxSlot) * rows));
  kernels::argmax(d_logits.get(), rows, vocab, d_slots.get(), d_tokens.get(), nullptr, stream());
  EXPECT_EQ(to_host<std::int32_t>(d_tokens.get(), rows), (std::vector<std::int32_t>{900, 0, 600, 0}));
}

// Every element of every tensor of tiny, and a sample of an 8B-sized tensor (58.7 M elements), equal
// to the host generator's value rounded to bf16, bit for bit.
TEST_F(LlmKernels, SyntheticWeightsEqualTheHostGeneratorBitForBit) {
  const ModelConfig tiny = builtin_model("tiny");
  const Weights host = synthetic_weights(tiny, 7);
  for (const TensorSpec& spec : expected_tensors(tiny)) {
    const std::int64_t count = element_count(spec.shape);
    auto d = cuda::device_array<std::uint16_t>(static_cast<std::size_t>(count));
    const SyntheticDistribution dist = synthetic_distribution(tiny, spec);
    kernels::fill_synthetic_weights(as_bf16(d), count, tensor_stream(7, spec.name), dist.offset, dist.scale, stream());
    const auto gpu = to_host<std::uint16_t>(d.get(), static_cast<std::size_t>(count));
    const std::vector<float>& expected = host.at(spec.name).data;
    for (std::int64_t i = 0; i < count; ++i) ASSERT_EQ(gpu[i], f32_to_bf16(expected[i])) << spec.name << "[" << i << "]";
  }

  const ModelConfig big = builtin_model("llama-3.1-8b");
  const TensorSpec down{layer_names(31).down, {big.hidden_size, big.intermediate_size}};
  const std::int64_t count = element_count(down.shape);
  auto d = cuda::device_array<std::uint16_t>(static_cast<std::size_t>(count));
  const SyntheticDistribution dist = synthetic_distribution(big, down);
  const std::uint64_t stream_id = tensor_stream(3, down.name);
  kernels::fill_synthetic_weights(as_bf16(d), count, stream_id, dist.offset, dist.scale, stream());
  const auto gpu = to_host<std::uint16_t>(d.get(), static_cast<std::size_t>(count));
  std::uniform_int_distribution<std::int64_t> index(0, count - 1);
  for (int sample = 0; sample < 200000; ++sample) {
    const std::int64_t i = sample < 2 ? (sample == 0 ? 0 : count - 1) : index(rng_);
    ASSERT_EQ(gpu[i], f32_to_bf16(synthetic::weight(dist.offset, dist.scale, stream_id, static_cast<std::uint64_t>(i))))
        << "index " << i;
  }
}

}  // namespace
}  // namespace sb::llm

#else
TEST(LlmKernels, NeedCuda) { GTEST_SKIP() << "SKIPPED: built without CUDA: the engine's kernels are not tested"; }
#endif
