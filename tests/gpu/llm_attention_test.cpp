// The CUDA engine's attention kernels (kernels.hpp) against a CPU computation in double precision
// on random bf16 inputs: causal prefill (from position 0 and chunked, from a later position) and
// split-K decode, over head sizes, GQA ratios, batch sizes, positions and split counts. Cache
// positions past the context hold NaN, so that any key read beyond it poisons the result.
// With SPARKBENCH_LLM_PERF=1, also prints the kernels' speed at Llama-3.1-8B shapes.
#include <gtest/gtest.h>

#if !SPARKBENCH_HAVE_CUDA
namespace sb {
TEST(LlmAttentionGpu, NeedsCuda) { GTEST_SKIP() << "SKIPPED: built without CUDA: the attention kernels are not tested"; }
}  // namespace sb
#else

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include <cuda_runtime_api.h>

#include "core/cuda_status.hpp"
#include "core/gpu_presence.hpp"
#include "llm/dtype.hpp"
#include "llm_cuda/kernels.hpp"

namespace sb::llm {
namespace {

using kernels::AttentionShape;
using kernels::bf16;

constexpr std::uint16_t kBf16NaN = 0x7FC0;

// The output is bf16 (relative rounding 2^-9, at most 0.002 for |values| <= 1: outputs are convex
// combinations of V entries in [-1, 1]), and the kernels round the softmax weights to bf16 before
// multiplying by V (relative 2^-9 per weight, again at most 0.002 in the sum, plus as much again
// because the normaliser adds the unrounded weights). Everything else accumulates in fp32.
// 1e-2 leaves a margin over that 0.006 bound; a wrong key, mask or scale moves outputs by ~0.1.
constexpr double kTolerance = 1e-2;

std::string skip_reason() {
  const GpuPresence& gpu = gpu_presence();
  return gpu.present ? std::string() : "SKIPPED: no usable CUDA device: " + gpu.reason;
}

template <class T>
class DeviceBuffer {
 public:
  explicit DeviceBuffer(std::size_t count) : count_(count) {
    SB_CUDA_CHECK(cudaMalloc(reinterpret_cast<void**>(&data_), count * sizeof(T)));
  }
  ~DeviceBuffer() { cudaFree(data_); }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  T* get() const { return data_; }
  std::size_t bytes() const { return count_ * sizeof(T); }
  template <class U>
  void upload(const std::vector<U>& host) {
    ASSERT_EQ(host.size() * sizeof(U), bytes());
    SB_CUDA_CHECK(cudaMemcpy(data_, host.data(), bytes(), cudaMemcpyHostToDevice));
  }
  std::vector<std::uint16_t> download_bits() const {
    std::vector<std::uint16_t> host(bytes() / sizeof(std::uint16_t));
    SB_CUDA_CHECK(cudaMemcpy(host.data(), data_, bytes(), cudaMemcpyDeviceToHost));
    return host;
  }

 private:
  T* data_ = nullptr;
  std::size_t count_;
};

// bf16 bit patterns of uniform values in [-range, range].
std::vector<std::uint16_t> random_bf16(std::size_t count, float range, std::mt19937& rng) {
  std::uniform_real_distribution<float> uniform(-range, range);
  std::vector<std::uint16_t> bits(count);
  for (std::uint16_t& b : bits) b = f32_to_bf16(uniform(rng));
  return bits;
}

struct Inputs {
  AttentionShape shape;
  std::vector<std::uint16_t> q;  // [batch * tokens, num_heads * head_dim]
  std::vector<std::uint16_t> k;  // [batch, capacity, num_kv_heads, head_dim]
  std::vector<std::uint16_t> v;
};

AttentionShape shape_of(int batch, int num_kv_heads, int ratio, int head_dim, int capacity) {
  return {.batch = batch, .num_heads = num_kv_heads * ratio, .num_kv_heads = num_kv_heads, .head_dim = head_dim,
          .capacity = capacity, .scale = 1.0f / std::sqrt(static_cast<float>(head_dim))};
}

// Queries in [-4, 4] and keys in [-1, 1] make scaled scores of standard deviation ~1.3 at every
// head_dim: softmax weights that differ a lot between keys, so that outputs depend on each score.
Inputs random_inputs(const AttentionShape& s, int tokens, std::uint32_t seed) {
  std::mt19937 rng(seed);
  const std::size_t cache = static_cast<std::size_t>(s.batch) * s.capacity * s.num_kv_heads * s.head_dim;
  Inputs in{s, random_bf16(static_cast<std::size_t>(s.batch) * tokens * s.num_heads * s.head_dim, 4.f, rng),
            random_bf16(cache, 1.f, rng), random_bf16(cache, 1.f, rng)};
  return in;
}

// Cache positions >= context made NaN: the kernels must never let them reach a result.
std::vector<std::uint16_t> poisoned_past(std::vector<std::uint16_t> cache, const AttentionShape& s, int context) {
  const std::size_t row = static_cast<std::size_t>(s.num_kv_heads) * s.head_dim;
  for (int b = 0; b < s.batch; ++b)
    std::fill(cache.begin() + (static_cast<std::size_t>(b) * s.capacity + context) * row,
              cache.begin() + (static_cast<std::size_t>(b) + 1) * s.capacity * row, kBf16NaN);
  return cache;
}

// Causal GQA attention as the reference engine defines it (reference_engine.cpp, attention_block),
// in double: query t of each sequence sits at position first_position + t and sees keys 0 .. it.
std::vector<double> cpu_attention(const Inputs& in, int tokens, int first_position) {
  const AttentionShape& s = in.shape;
  const int d = s.head_dim;
  const int group = s.num_heads / s.num_kv_heads;
  auto value = [](const std::vector<std::uint16_t>& bits, std::size_t i) { return double(bf16_to_f32(bits[i])); };
  std::vector<double> out(in.q.size());
  for (int b = 0; b < s.batch; ++b) {
    for (int t = 0; t < tokens; ++t) {
      const int position = first_position + t;
      for (int h = 0; h < s.num_heads; ++h) {
        const std::size_t q_at = ((static_cast<std::size_t>(b) * tokens + t) * s.num_heads + h) * d;
        auto kv_at = [&](int key) {
          return ((static_cast<std::size_t>(b) * s.capacity + key) * s.num_kv_heads + h / group) * d;
        };
        std::vector<double> weights(position + 1);
        for (int key = 0; key <= position; ++key) {
          double dot = 0;
          for (int i = 0; i < d; ++i) dot += value(in.q, q_at + i) * value(in.k, kv_at(key) + i);
          weights[key] = dot * s.scale;
        }
        const double max = *std::max_element(weights.begin(), weights.end());
        double sum = 0;
        for (double& w : weights) sum += (w = std::exp(w - max));
        for (int i = 0; i < d; ++i) {
          double acc = 0;
          for (int key = 0; key <= position; ++key) acc += weights[key] * value(in.v, kv_at(key) + i);
          out[q_at + i] = acc / sum;
        }
      }
    }
  }
  return out;
}

// Largest |gpu - cpu|; NaN (an unmasked poisoned key) counts as infinitely wrong.
double max_abs_error(const std::vector<std::uint16_t>& gpu, const std::vector<double>& cpu) {
  double worst = 0;
  for (std::size_t i = 0; i < cpu.size(); ++i) {
    const double e = std::abs(double(bf16_to_f32(gpu[i])) - cpu[i]);
    worst = std::isnan(e) ? INFINITY : std::max(worst, e);
  }
  return worst;
}

struct Case {
  int head_dim;
  int ratio;  // query heads per KV head
  int batch;
};

std::string case_name(const ::testing::TestParamInfo<Case>& info) {
  return "d" + std::to_string(info.param.head_dim) + "_gqa" + std::to_string(info.param.ratio) + "_batch" +
         std::to_string(info.param.batch);
}

std::vector<Case> all_cases() {
  std::vector<Case> cases;
  for (int head_dim : {32, 64, 128})
    for (int ratio : {1, 4})
      for (int batch : {1, 3}) cases.push_back({head_dim, ratio, batch});
  cases.push_back({64, 20, 2});  // more query heads per KV head than a decode block's 16 MMA rows
  return cases;
}

class LlmAttentionGpu : public ::testing::TestWithParam<Case> {
 protected:
  void SetUp() override {
    if (std::string why = skip_reason(); !why.empty()) GTEST_SKIP() << why;
  }
};

TEST_P(LlmAttentionGpu, PrefillMatchesCpuFromStartAndInChunks) {
  const Case c = GetParam();
  const int kv_heads = c.ratio > 4 ? 1 : 2;
  // From position 0: one partial and one full query tile; a chunk from position 37 (keys tiles
  // and query tiles out of step); a single token (the smallest chunk) deep into the cache.
  double worst = 0;
  for (const auto& [start, tokens] : std::vector<std::pair<int, int>>{{0, 100}, {37, 75}, {130, 1}}) {
    const AttentionShape s = shape_of(c.batch, kv_heads, c.ratio, c.head_dim, 200);
    const Inputs in = random_inputs(s, tokens, 1000u + start);
    const std::vector<double> expected = cpu_attention(in, tokens, start);

    DeviceBuffer<bf16> q(in.q.size()), k(in.k.size()), v(in.v.size()), out(in.q.size());
    q.upload(in.q);
    k.upload(poisoned_past(in.k, s, start + tokens));
    v.upload(poisoned_past(in.v, s, start + tokens));
    SB_CUDA_CHECK(cudaMemset(out.get(), 0xFF, out.bytes()));  // NaN where the kernel writes nothing
    kernels::attention_prefill(q.get(), k.get(), v.get(), out.get(), s, tokens, start, nullptr);
    SB_CUDA_CHECK(cudaDeviceSynchronize());
    const double error = max_abs_error(out.download_bits(), expected);
    EXPECT_LE(error, kTolerance) << "start " << start << ", tokens " << tokens;
    worst = std::max(worst, error);
  }
  std::printf("prefill max abs error %.2e (tolerance %.0e)\n", worst, kTolerance);
}

TEST_P(LlmAttentionGpu, DecodeMatchesCpuAtEveryPositionAndSplitCount) {
  const Case c = GetParam();
  const int kv_heads = c.ratio > 4 ? 1 : 2;
  const AttentionShape s = shape_of(c.batch, kv_heads, c.ratio, c.head_dim, 200);
  const Inputs in = random_inputs(s, 1, 77u);
  // Single split; a few; what the heuristic picks for a 132-SM GPU; more splits than 64-key tiles
  // (most chunks empty).
  const std::vector<int> split_counts = {1, 3, kernels::attention_decode_splits(s, 132), 16};
  const int most_splits = *std::max_element(split_counts.begin(), split_counts.end());

  DeviceBuffer<bf16> q(in.q.size()), k(in.k.size()), v(in.v.size()), out(in.q.size());
  DeviceBuffer<int> position(1);
  DeviceBuffer<std::byte> workspace(kernels::attention_decode_workspace_bytes(s, most_splits));
  q.upload(in.q);
  double worst = 0;
  for (int pos : {0, 1, 63, 64, 150, 199}) {
    const std::vector<double> expected = cpu_attention(in, 1, pos);
    k.upload(poisoned_past(in.k, s, pos + 1));
    v.upload(poisoned_past(in.v, s, pos + 1));
    position.upload(std::vector<int>{pos});
    for (int splits : split_counts) {
      SB_CUDA_CHECK(cudaMemset(out.get(), 0xFF, out.bytes()));
      kernels::attention_decode(q.get(), k.get(), v.get(), out.get(), s, position.get(), splits, workspace.get(),
                                nullptr);
      SB_CUDA_CHECK(cudaDeviceSynchronize());
      const double error = max_abs_error(out.download_bits(), expected);
      EXPECT_LE(error, kTolerance) << "position " << pos << ", " << splits << " splits";
      worst = std::max(worst, error);
    }
  }
  std::printf("decode max abs error %.2e (tolerance %.0e)\n", worst, kTolerance);
}

INSTANTIATE_TEST_SUITE_P(Shapes, LlmAttentionGpu, ::testing::ValuesIn(all_cases()), case_name);

TEST(LlmAttentionLaunchers, RejectUnsupportedShapesWithAFix) {
  AttentionShape s = shape_of(1, 2, 2, 96, 64);
  EXPECT_THROW(kernels::attention_prefill(nullptr, nullptr, nullptr, nullptr, s, 1, 0, nullptr), Error);
  s.head_dim = 64;
  EXPECT_THROW(kernels::attention_prefill(nullptr, nullptr, nullptr, nullptr, s, 60, 10, nullptr), Error);
  s.num_heads = 3;
  EXPECT_THROW(kernels::attention_decode(nullptr, nullptr, nullptr, nullptr, s, nullptr, 1, nullptr, nullptr), Error);
}

TEST(LlmAttentionLaunchers, DecodeSplitsFillTheGpuWithoutChunksShorterThanATile) {
  const AttentionShape llama8b = shape_of(32, 8, 4, 128, 2112);
  const int splits = kernels::attention_decode_splits(llama8b, 132);
  EXPECT_GE(32 * 8 * splits, 2 * 132);
  EXPECT_LE(splits, 2112 / 64);
  EXPECT_EQ(kernels::attention_decode_splits(shape_of(1, 8, 4, 128, 100), 132), 1);  // 100 positions: one tile
  EXPECT_EQ(kernels::attention_decode_splits(shape_of(1, 8, 4, 128, 4096), 132), 64);
}

// Speed at Llama-3.1-8B shapes (32 heads, 8 KV heads, head_dim 128): printed, not asserted.
class EventTimer {
 public:
  EventTimer() {
    SB_CUDA_CHECK(cudaEventCreate(&start_));
    SB_CUDA_CHECK(cudaEventCreate(&stop_));
  }
  ~EventTimer() {
    cudaEventDestroy(start_);
    cudaEventDestroy(stop_);
  }
  // Milliseconds per call of `launch`, after warm-up calls.
  template <class F>
  double ms_per_call(F launch, int calls = 20) {
    for (int i = 0; i < 3; ++i) launch();
    SB_CUDA_CHECK(cudaEventRecord(start_));
    for (int i = 0; i < calls; ++i) launch();
    SB_CUDA_CHECK(cudaEventRecord(stop_));
    SB_CUDA_CHECK(cudaEventSynchronize(stop_));
    float ms = 0;
    SB_CUDA_CHECK(cudaEventElapsedTime(&ms, start_, stop_));
    return ms / calls;
  }

 private:
  cudaEvent_t start_{}, stop_{};
};

TEST(LlmAttentionPerf, PrintsDecodeBandwidthAndPrefillTimeAtLlama8BShapes) {
  if (std::string why = skip_reason(); !why.empty()) GTEST_SKIP() << why;
  const char* wanted = std::getenv("SPARKBENCH_LLM_PERF");
  if (!wanted || std::string(wanted) != "1") GTEST_SKIP() << "SKIPPED: set SPARKBENCH_LLM_PERF=1 to measure";
  int device = 0, sm_count = 0;
  SB_CUDA_CHECK(cudaGetDevice(&device));
  SB_CUDA_CHECK(cudaDeviceGetAttribute(&sm_count, cudaDevAttrMultiProcessorCount, device));
  EventTimer timer;

  // Decode at position 2111 (context 2112); at batch 32 one layer's K and V are 277 MB, far beyond L2.
  const std::size_t cache = std::size_t{32} * 2112 * 8 * 128;
  DeviceBuffer<bf16> k(cache), v(cache), q(32 * 32 * 128), out(32 * 32 * 128), copy(cache);
  SB_CUDA_CHECK(cudaMemset(k.get(), 0x3C, k.bytes()));  // 0x3C3C: bf16 0.0115, finite
  SB_CUDA_CHECK(cudaMemset(v.get(), 0x3C, v.bytes()));
  SB_CUDA_CHECK(cudaMemset(q.get(), 0x3C, q.bytes()));
  DeviceBuffer<int> position(1);
  position.upload(std::vector<int>{2111});
  const double copy_ms = timer.ms_per_call([&] {
    SB_CUDA_CHECK(cudaMemcpyAsync(copy.get(), k.get(), k.bytes(), cudaMemcpyDeviceToDevice));
  });
  const double copy_gbs = 2.0 * k.bytes() / copy_ms / 1e6;  // bytes read + written
  std::printf("device copy: %.1f GB/s (read + write)\n", copy_gbs);
  auto time_decode = [&](int batch, std::vector<int> split_counts) {
    const AttentionShape decode = shape_of(batch, 8, 4, 128, 2112);
    const double bytes = 2.0 * batch * 2112 * 8 * 128 * sizeof(bf16);
    const int chosen = kernels::attention_decode_splits(decode, sm_count);
    split_counts.push_back(chosen);
    for (int splits : split_counts) {
      DeviceBuffer<std::byte> workspace(kernels::attention_decode_workspace_bytes(decode, splits));
      const double ms = timer.ms_per_call([&] {
        kernels::attention_decode(q.get(), k.get(), v.get(), out.get(), decode, position.get(), splits,
                                  workspace.get(), nullptr);
      });
      const double gbs = bytes / ms / 1e6;
      std::printf("decode batch %2d, context 2112, %2d splits%s: %7.1f us, %.1f GB/s of K+V (%.0f%% of copy)\n",
                  batch, splits, splits == chosen ? " (chosen)" : "", ms * 1e3, gbs, 100.0 * gbs / copy_gbs);
    }
  };
  time_decode(32, {1, 2, 3, 4, 6, 8, 12, 16});
  time_decode(1, {1, 8, 16});

  // Prefill of one sequence: whole prompts from position 0, and a 512-token chunk after 1536.
  for (const auto& [start, tokens] : std::vector<std::pair<int, int>>{{0, 512}, {0, 2048}, {1536, 512}}) {
    const AttentionShape prefill = shape_of(1, 8, 4, 128, 2048);
    DeviceBuffer<bf16> pq(std::size_t(tokens) * 32 * 128), pout(std::size_t(tokens) * 32 * 128);
    SB_CUDA_CHECK(cudaMemset(pq.get(), 0x3C, pq.bytes()));
    const double ms = timer.ms_per_call([&] {
      kernels::attention_prefill(pq.get(), k.get(), v.get(), pout.get(), prefill, tokens, start, nullptr);
    });
    // Causal: query t multiplies against start + t + 1 keys, twice (q k^T and p v), 2 FLOP each.
    const double flops = 4.0 * 128 * 32 * (double(tokens) * start + double(tokens) * (tokens + 1) / 2);
    std::printf("prefill %4d tokens from position %4d: %7.1f us, %.1f TFLOP/s\n", tokens, start, ms * 1e3,
                flops / ms / 1e9);
  }
}

}  // namespace
}  // namespace sb::llm

#endif  // SPARKBENCH_HAVE_CUDA
