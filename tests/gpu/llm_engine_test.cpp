// The CUDA engine against the fp32 CPU reference engine (the oracle), on small models whose weights
// are synthetic and rounded to bf16 on the host, so both engines compute with identical weights.
// What remains is the CUDA engine's bf16 activations and KV cache: each stored value is rounded
// with relative error up to 2^-8, and through two layers these roundings move the logits by a few
// percent of their largest magnitude at most. The bound used: max |diff| <= 0.05 max |logit| and
// cosine similarity >= 0.999 (a wrong layout, position or weight gives diffs of the order of the
// logits themselves and cosines far below that).
#include <gtest/gtest.h>

#if SPARKBENCH_HAVE_CUDA
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include <cuda_runtime_api.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/cuda_resources.hpp"
#include "core/cuda_timing.hpp"
#include "core/gpu_presence.hpp"
#include "llm/dtype.hpp"
#include "llm/reference_engine.hpp"
#include "llm/weight_loader.hpp"
#include "llm/reference_ops.hpp"
#include "llm_cuda/cuda_engine.hpp"
#include "llm_cuda/kernels.hpp"
#include "../llm_test_files.hpp"
#include "../test_support.hpp"

namespace sb::llm {
namespace {

constexpr double kRelativeBound = 0.05;
constexpr double kMinCosine = 0.999;
constexpr std::uint64_t kSeed = 11;

// Llama with attention_bias (q/k/v and o biases), tied embeddings, head_dim 64, 4 query heads per
// KV head, a vocabulary that is not a multiple of 8, no RoPE scaling.
ModelConfig llama_bias_tied() {
  return model_config_from_json(nlohmann::json::parse(R"({
    "architectures": ["LlamaForCausalLM"], "model_type": "llama",
    "hidden_size": 256, "intermediate_size": 512, "num_hidden_layers": 2,
    "num_attention_heads": 4, "num_key_value_heads": 1, "head_dim": 64,
    "vocab_size": 1001, "max_position_embeddings": 4096, "rms_norm_eps": 1e-6,
    "rope_theta": 10000.0, "attention_bias": true, "tie_word_embeddings": true,
    "hidden_act": "silu", "torch_dtype": "bfloat16"})"),
                                "llama_bias_tied");
}

// Qwen2: q/k/v biases only, tied embeddings, head_dim 128.
ModelConfig qwen2_tied() {
  return model_config_from_json(nlohmann::json::parse(R"({
    "architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2",
    "hidden_size": 256, "intermediate_size": 640, "num_hidden_layers": 2,
    "num_attention_heads": 2, "num_key_value_heads": 1,
    "vocab_size": 700, "max_position_embeddings": 4096, "rms_norm_eps": 1e-6,
    "rope_theta": 1000000.0, "tie_word_embeddings": true, "use_sliding_window": false,
    "hidden_act": "silu", "torch_dtype": "bfloat16"})"),
                                "qwen2_tied");
}

ModelConfig config_named(const std::string& name) {
  if (name == "llama_bias_tied") return llama_bias_tied();
  if (name == "qwen2_tied") return qwen2_tied();
  return builtin_model(name);
}

Weights bf16_rounded(Weights w) {
  for (const auto& [name, t] : w.all()) {
    for (float& v : w.mutable_tensor(name).data) v = bf16_to_f32(f32_to_bf16(v));
  }
  return w;
}

std::vector<std::vector<std::int32_t>> random_prompts(int batch, int length, std::int64_t vocab, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<std::int32_t> token(0, static_cast<std::int32_t>(vocab - 1));
  std::vector<std::vector<std::int32_t>> prompts(static_cast<std::size_t>(batch));
  for (auto& p : prompts)
    for (int t = 0; t < length; ++t) p.push_back(token(rng));
  return prompts;
}

struct Agreement {
  double max_diff = 0;
  double max_reference = 0;
  double cosine = 0;
};

Agreement agreement(const std::vector<float>& gpu, const std::vector<float>& reference) {
  Agreement a;
  double dot = 0, gg = 0, rr = 0;
  for (std::size_t i = 0; i < gpu.size(); ++i) {
    a.max_diff = std::max(a.max_diff, std::abs(static_cast<double>(gpu[i]) - reference[i]));
    a.max_reference = std::max(a.max_reference, std::abs(static_cast<double>(reference[i])));
    dot += static_cast<double>(gpu[i]) * reference[i];
    gg += static_cast<double>(gpu[i]) * gpu[i];
    rr += static_cast<double>(reference[i]) * reference[i];
  }
  a.cosine = dot / std::sqrt(gg * rr);
  return a;
}

void expect_within_bound(const std::vector<float>& gpu, const std::vector<float>& reference, const std::string& what) {
  ASSERT_EQ(gpu.size(), reference.size()) << what;
  const Agreement a = agreement(gpu, reference);
  EXPECT_LE(a.max_diff, kRelativeBound * a.max_reference) << what << ": max |logit| " << a.max_reference;
  EXPECT_GE(a.cosine, kMinCosine) << what;
  std::printf("  %s: max |diff| %.4f (%.2f%% of max |logit| %.3f), cosine %.7f\n", what.c_str(), a.max_diff,
              100 * a.max_diff / a.max_reference, a.max_reference, a.cosine);
}

class LlmEngine : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (const GpuPresence& gpu = gpu_presence(); !gpu.present)
      GTEST_SKIP() << "SKIPPED: no usable CUDA device: " << gpu.reason;
    config_ = config_named(GetParam());
    weights_ = bf16_rounded(synthetic_weights(config_, kSeed));
  }

  CudaEngine engine(std::int64_t max_batch, std::int64_t max_tokens, const std::string& decode_gemm = "auto",
                    bool graphs = true, std::int64_t chunk = 0) const {
    return CudaEngine(config_, weights_,
                      CudaEngineOptions{.max_batch = max_batch, .max_tokens_per_sequence = max_tokens,
                                        .prefill_chunk_tokens = chunk, .decode_gemm = decode_gemm, .cuda_graphs = graphs});
  }
  ReferenceEngine reference() const { return ReferenceEngine(config_, weights_); }

  ModelConfig config_;
  Weights weights_;
};

TEST_P(LlmEngine, PrefillLogitsMatchTheReference) {
  const auto prompts = random_prompts(3, 11, config_.vocab_size, 1);
  CudaEngine cuda = engine(4, 32);
  const auto logits = cuda.prefill_logits(prompts);
  const ReferenceEngine ref = reference();
  ASSERT_EQ(logits.size(), prompts.size());
  for (std::size_t b = 0; b < prompts.size(); ++b) {
    KvCache cache = ref.new_cache(32);
    expect_within_bound(logits[b], ref.prefill(cache, prompts[b]), GetParam() + " prefill, sequence " + std::to_string(b));
  }
  EXPECT_LE(cuda.device_bytes(), cuda.memory_plan().total_bytes()) << "the engine allocated more than it planned";
  EXPECT_GE(cuda.device_bytes(), cuda.memory_plan().weight_bytes);
}

// prefill_chunk_tokens 7 with 3 sequences: passes of 2 positions, each attending to the earlier
// passes' keys and values in the cache.
TEST_P(LlmEngine, ChunkedPrefillMatchesTheReference) {
  const auto prompts = random_prompts(3, 11, config_.vocab_size, 2);
  CudaEngine cuda = engine(3, 16, "auto", true, 7);
  const auto logits = cuda.prefill_logits(prompts);
  const ReferenceEngine ref = reference();
  for (std::size_t b = 0; b < prompts.size(); ++b) {
    KvCache cache = ref.new_cache(16);
    expect_within_bound(logits[b], ref.prefill(cache, prompts[b]), GetParam() + " chunked prefill, sequence " + std::to_string(b));
  }
}

// decode_logits after a prefill against the reference's decode_step, with the GEMV kernel and with
// cuBLAS for the decode GEMMs; the two also agree with each other.
TEST_P(LlmEngine, DecodeLogitsMatchTheReferenceWithGemvAndCublas) {
  const int batch = 2, length = 9, steps = 6;
  const auto prompts = random_prompts(batch, length, config_.vocab_size, 3);
  const auto fed = random_prompts(batch, steps, config_.vocab_size, 4);
  std::vector<std::vector<std::vector<float>>> by_impl;
  for (const char* impl : {"gemv", "cublas"}) {
    CudaEngine cuda = engine(batch, length + steps, impl);
    for (const auto& [projection, choice] : cuda.decode_gemm_choices()) EXPECT_EQ(choice, impl) << projection;
    cuda.prefill_logits(prompts);
    std::vector<std::vector<float>> all;
    for (int s = 0; s < steps; ++s) {
      const std::vector<std::int32_t> tokens = {fed[0][s], fed[1][s]};
      for (auto& row : cuda.decode_logits(tokens)) all.push_back(std::move(row));
    }
    by_impl.push_back(std::move(all));
  }
  const ReferenceEngine ref = reference();
  for (int b = 0; b < batch; ++b) {
    KvCache cache = ref.new_cache(length + steps);
    ref.prefill(cache, prompts[b]);
    for (int s = 0; s < steps; ++s) {
      const std::vector<float> expected = ref.decode_step(cache, fed[b][s]);
      const std::string what = fmt::format("{} decode step {} sequence {}", GetParam(), s, b);
      expect_within_bound(by_impl[0][s * batch + b], expected, what + " (gemv)");
      expect_within_bound(by_impl[1][s * batch + b], expected, what + " (cublas)");
      expect_within_bound(by_impl[0][s * batch + b], by_impl[1][s * batch + b], what + " gemv vs cublas");
    }
  }
}

// Greedy generation, batch 1 and 4, 20 tokens. The reference follows the CUDA engine's tokens
// (teacher forcing), so every step is compared even after a flip: at each step the CUDA token is
// the argmax of the CUDA logits (same engine, decode_logits along the same tokens), those logits
// are within the bound of the reference's, and where the CUDA token is not the reference's argmax
// the reference's top-2 margin must be below the measured difference (a near tie), reported.
TEST_P(LlmEngine, GreedyTokensFollowTheReference) {
  const int length = 10, steps = 20;
  for (const int batch : {1, 4}) {
    SCOPED_TRACE(batch);
    const auto prompts = random_prompts(batch, length, config_.vocab_size, 5 + batch);
    CudaEngine cuda = engine(batch, length + steps);
    const CudaEngine::Generation g = cuda.generate_greedy(prompts, steps);
    ASSERT_EQ(g.tokens.size(), static_cast<std::size_t>(batch));
    ASSERT_EQ(g.step_ms.size(), static_cast<std::size_t>(steps - 1));
    EXPECT_GT(g.prefill_ms, 0);

    std::vector<std::vector<std::vector<float>>> cuda_logits = {cuda.prefill_logits(prompts)};
    for (int s = 0; s + 1 < steps; ++s) {
      std::vector<std::int32_t> tokens;
      for (int b = 0; b < batch; ++b) tokens.push_back(g.tokens[b][s]);
      cuda_logits.push_back(cuda.decode_logits(tokens));
    }

    const ReferenceEngine ref = reference();
    for (int b = 0; b < batch; ++b) {
      ASSERT_EQ(g.tokens[b].size(), static_cast<std::size_t>(steps));
      KvCache cache = ref.new_cache(length + steps);
      std::vector<float> expected = ref.prefill(cache, prompts[b]);
      int equal = 0;
      for (int s = 0; s < steps; ++s) {
        const std::int32_t token = g.tokens[b][s];
        const std::vector<float>& mine = cuda_logits[s][b];
        EXPECT_EQ(token, argmax(mine)) << "step " << s << ": the GPU's argmax disagrees with its logits";
        const Agreement a = agreement(mine, expected);
        EXPECT_LE(a.max_diff, kRelativeBound * a.max_reference) << "step " << s << " sequence " << b;
        const std::int32_t top = argmax(expected);
        if (token == top) {
          ++equal;
        } else {
          const double margin = expected[top] - expected[token];
          const double measured = std::abs(mine[top] - expected[top]) + std::abs(mine[token] - expected[token]);
          EXPECT_LE(margin, measured) << "step " << s;
          std::printf("  %s batch %d sequence %d step %d: near tie, CUDA chose %d, the reference %d by a margin of "
                      "%.4f (the logits' measured differences add up to %.4f)\n",
                      GetParam().c_str(), batch, b, s, token, top, margin, measured);
        }
        if (s + 1 < steps) expected = ref.decode_step(cache, token);
      }
      std::printf("  %s batch %d sequence %d: %d of %d greedy tokens equal to the reference's argmax\n",
                  GetParam().c_str(), batch, b, equal, steps);
      EXPECT_GE(equal, 16) << "more flips than near ties explain in practice";
    }
  }
}

// Replaying the captured decode step computes exactly what launching its kernels one by one does.
TEST_P(LlmEngine, CudaGraphsOnAndOffGiveIdenticalTokens) {
  const auto prompts = random_prompts(2, 7, config_.vocab_size, 9);
  for (const char* impl : {"gemv", "cublas"}) {
    CudaEngine with_graphs = engine(2, 40, impl, true);
    CudaEngine without = engine(2, 40, impl, false);
    EXPECT_EQ(with_graphs.generate_greedy(prompts, 32).tokens, without.generate_greedy(prompts, 32).tokens) << impl;
  }
}

INSTANTIATE_TEST_SUITE_P(Models, LlmEngine, ::testing::Values("tiny", "llama_bias_tied", "qwen2_tied"));

class LlmEngineTiny : public ::testing::Test {
 protected:
  void SetUp() override {
    if (const GpuPresence& gpu = gpu_presence(); !gpu.present)
      GTEST_SKIP() << "SKIPPED: no usable CUDA device: " << gpu.reason;
  }
  const ModelConfig tiny_ = builtin_model("tiny");
};

// The weights generated on the GPU are the host's synthetic weights rounded to bf16: the same
// logits, bit for bit, as an engine given those weights from the host.
TEST_F(LlmEngineTiny, SyntheticWeightsOnTheDeviceEqualTheHostsRounded) {
  const CudaEngineOptions options{.max_batch = 2, .max_tokens_per_sequence = 16, .decode_gemm = "gemv"};
  CudaEngine generated(tiny_, kSeed, options);
  CudaEngine uploaded(tiny_, bf16_rounded(synthetic_weights(tiny_, kSeed)), options);
  const auto prompts = random_prompts(2, 8, tiny_.vocab_size, 10);
  EXPECT_EQ(generated.prefill_logits(prompts), uploaded.prefill_logits(prompts));
}

// A checkpoint streamed to the device (open_checkpoint, bf16 chunks through pinned staging) gives
// the weights the fp32 path gives (load_weights, rounded to bf16 on upload): the same logits, bit for
// bit, and within the bound of the reference engine's. The staging is made small so that tensors
// take many chunks, most of them starting and ending inside a row (and inside the permuted Q and K
// rows of the GGUF file).
struct CheckpointCase {
  const char* name;
  std::function<std::filesystem::path(const test::TempDir&, const ModelConfig&, const Weights&)> write;
};

class LlmEngineCheckpoint : public ::testing::TestWithParam<CheckpointCase> {
 protected:
  void SetUp() override {
    if (const GpuPresence& gpu = gpu_presence(); !gpu.present)
      GTEST_SKIP() << "SKIPPED: no usable CUDA device: " << gpu.reason;
  }
};

TEST_P(LlmEngineCheckpoint, StreamedWeightsGiveTheLogitsOfTheFp32Path) {
  const ModelConfig c = builtin_model("tiny");
  test::TempDir dir;
  const std::filesystem::path file = GetParam().write(dir, c, synthetic_weights(c, kSeed));
  CudaEngineOptions options{.max_batch = 2, .max_tokens_per_sequence = 16, .decode_gemm = "gemv"};
  options.weight_staging_bytes = 1000;  // 500 bf16 values a chunk
  CudaEngine streamed(c, open_checkpoint(file, c), options);
  const Weights fp32 = load_weights(file, c);
  CudaEngine uploaded(c, fp32, options);

  const WeightUpload& u = streamed.weight_upload();
  std::int64_t elements = 0;
  for (const TensorSpec& spec : expected_tensors(c)) elements += element_count(spec.shape);
  EXPECT_EQ(u.bytes, 2 * elements);
  EXPECT_EQ(u.staging_bytes, 2000);
  EXPECT_GE(u.chunks, elements / 500);

  const auto prompts = random_prompts(2, 8, c.vocab_size, 12);
  const auto logits = streamed.prefill_logits(prompts);
  EXPECT_EQ(logits, uploaded.prefill_logits(prompts)) << GetParam().name;
  const ReferenceEngine ref(c, bf16_rounded(fp32));
  for (std::size_t b = 0; b < prompts.size(); ++b) {
    KvCache cache = ref.new_cache(16);
    expect_within_bound(logits[b], ref.prefill(cache, prompts[b]), fmt::format("{} sequence {}", GetParam().name, b));
  }
}

INSTANTIATE_TEST_SUITE_P(
    Files, LlmEngineCheckpoint,
    ::testing::Values(
        CheckpointCase{"gguf_f16", [](const test::TempDir& dir, const ModelConfig& c, const Weights& w) {
                         test::gguf_model(c, w, DType::F16).write(dir / "m.gguf");
                         return dir / "m.gguf";
                       }},
        CheckpointCase{"gguf_f32", [](const test::TempDir& dir, const ModelConfig& c, const Weights& w) {
                         test::gguf_model(c, w, DType::F32).write(dir / "m.gguf");
                         return dir / "m.gguf";
                       }},
        CheckpointCase{"safetensors_bf16_sharded",
                       [](const test::TempDir& dir, const ModelConfig&, const Weights& w) {
                         return test::write_sharded_safetensors(dir.path(), w, DType::BF16, 2);
                       }},
        CheckpointCase{"safetensors_f16", [](const test::TempDir& dir, const ModelConfig&, const Weights& w) {
                         test::write_safetensors(dir / "model.safetensors", w, test::all_names(w), DType::F16);
                         return dir / "model.safetensors";
                       }}),
    [](const auto& info) { return std::string(info.param.name); });

TEST_F(LlmEngineTiny, MisuseIsAnErrorThatSaysWhatToDo) {
  CudaEngine cuda(tiny_, kSeed, CudaEngineOptions{.max_batch = 2, .max_tokens_per_sequence = 8});
  std::string msg = sb::test::message_of([&] { cuda.decode_logits(std::vector<std::int32_t>{1}); });
  EXPECT_NE(msg.find("prefill first"), std::string::npos) << msg;
  msg = sb::test::message_of([&] { cuda.prefill_logits({{1, 2}, {3}}); });
  EXPECT_NE(msg.find("equal length"), std::string::npos) << msg;
  msg = sb::test::message_of([&] { cuda.prefill_logits({{1, 2}, {3, 4}, {5, 6}}); });
  EXPECT_NE(msg.find("max_batch"), std::string::npos) << msg;
  msg = sb::test::message_of([&] { cuda.prefill_logits({{1, 512}}); });
  EXPECT_NE(msg.find("token 512 is outside the vocabulary"), std::string::npos) << msg;
  msg = sb::test::message_of([&] { cuda.generate_greedy({{1, 2, 3}}, 7); });
  EXPECT_NE(msg.find("need 9 cache positions; it holds 8"), std::string::npos) << msg;
  msg = sb::test::message_of([&] {
    CudaEngine(tiny_, kSeed, CudaEngineOptions{.max_batch = 9, .max_tokens_per_sequence = 8, .decode_gemm = "gemv"});
  });
  EXPECT_NE(msg.find("use decode_gemm cublas or auto"), std::string::npos) << msg;
}

// Llama 3.1 8B at batch 64 and its full 131072-token context needs about a terabyte of KV cache:
// refused before anything is allocated, with the plan's numbers and what would fit.
TEST_F(LlmEngineTiny, AnEightBPlanThatCannotFitIsAnErrorWithNumbers) {
  const sb::Error e = sb::test::expect_error([] {
    CudaEngine(builtin_model("llama-3.1-8b"), 1,
               CudaEngineOptions{.max_batch = 64, .max_tokens_per_sequence = 131072});
  });
  const std::string msg = std::string(e.what()) + " | " + e.fix();
  EXPECT_NE(msg.find("llama-3.1-8b (bf16) needs"), std::string::npos) << msg;
  EXPECT_NE(msg.find("KV cache 1024.00 GiB"), std::string::npos) << msg;  // 64 x 131072 x 128 KiB
  EXPECT_NE(msg.find("reduce the batch to"), std::string::npos) << msg;
}

// ---- Not a test: where the engine stands on Llama 3.1 8B (SPARKBENCH_LLM_PERF=1) ----

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// Device-to-device copy: bytes read + bytes written per second, the bandwidth a decode step's
// weight stream is measured against.
double copy_bandwidth_bytes_per_s() {
  const std::size_t bytes = 2ULL << 30;
  auto a = cuda::device_array<std::byte>(bytes);
  auto b = cuda::device_array<std::byte>(bytes);
  cuda::Stream stream = cuda::make_stream();
  SB_CUDA_CHECK(cudaMemsetAsync(a.get(), 1, bytes, stream.get()));
  SB_CUDA_CHECK(cudaMemcpyAsync(b.get(), a.get(), bytes, cudaMemcpyDeviceToDevice, stream.get()));
  cuda::StreamTimer timer(stream.get());
  timer.start();
  for (int i = 0; i < 10; ++i) SB_CUDA_CHECK(cudaMemcpyAsync(b.get(), a.get(), bytes, cudaMemcpyDeviceToDevice, stream.get()));
  return 10.0 * 2 * static_cast<double>(bytes) / (timer.stop_ms() * 1e-3);
}

// The GEMV alone on the 8B gate_up weight (235 MB, far beyond L2), batch 1.
double gemv_bandwidth_bytes_per_s() {
  const int n = 2 * 14336, k = 4096;
  auto w = cuda::device_array<kernels::bf16>(static_cast<std::size_t>(n) * k);
  auto x = cuda::device_array<kernels::bf16>(k);
  auto out = cuda::device_array<kernels::bf16>(n);
  cuda::Stream stream = cuda::make_stream();
  kernels::fill_synthetic_weights(w.get(), static_cast<std::int64_t>(n) * k, 1, 0, 0.01f, stream.get());
  kernels::fill_synthetic_weights(x.get(), k, 2, 0, 1, stream.get());
  kernels::gemv(w.get(), n, k, x.get(), k, 1, out.get(), false, stream.get());
  cuda::StreamTimer timer(stream.get());
  timer.start();
  for (int i = 0; i < 20; ++i) kernels::gemv(w.get(), n, k, x.get(), k, 1, out.get(), false, stream.get());
  return 20.0 * 2 * static_cast<double>(n) * k / (timer.stop_ms() * 1e-3);
}

void print_generation(const char* label, const CudaEngine::Generation& g, double floor_ms) {
  std::vector<double> steps = g.step_ms;
  std::sort(steps.begin(), steps.end());
  const double med = median(steps);
  std::printf("%s: TTFT %.2f ms; decode ms/token median %.3f (p10 %.3f, p90 %.3f); bandwidth floor %.3f ms -> %.1f%% "
              "of the floor\n",
              label, g.prefill_ms, med, steps[steps.size() / 10], steps[steps.size() * 9 / 10], floor_ms,
              100 * floor_ms / med);
}

TEST(LlmEnginePerf, PrintsWhereTheEngineStandsOnLlama8B) {
  if (const GpuPresence& gpu = gpu_presence(); !gpu.present)
    GTEST_SKIP() << "SKIPPED: no usable CUDA device: " << gpu.reason;
  if (!std::getenv("SPARKBENCH_LLM_PERF")) GTEST_SKIP() << "SKIPPED: set SPARKBENCH_LLM_PERF=1 to print the 8B timings";
  const ModelConfig c = builtin_model("llama-3.1-8b");
  const double copy = copy_bandwidth_bytes_per_s();
  const double gemv = gemv_bandwidth_bytes_per_s();
  std::printf("copy bandwidth %.0f GB/s; GEMV (8B gate_up, batch 1) %.0f GB/s = %.1f%% of it\n", copy / 1e9, gemv / 1e9,
              100 * gemv / copy);
  const double weights = static_cast<double>(weight_bytes(c, DType::BF16));
  {
    CudaEngine e(c, 1, CudaEngineOptions{.max_batch = 1, .max_tokens_per_sequence = 512 + 128});
    for (const auto& [projection, choice] : e.decode_gemm_choices()) std::printf("  decode %s: %s\n", projection.c_str(), choice.c_str());
    const auto prompts = random_prompts(1, 512, c.vocab_size, 1);
    e.generate_greedy(prompts, 8);  // warm-up: cuBLAS's prefill kernels
    const CudaEngine::Generation g = e.generate_greedy(prompts, 128);
    print_generation("8B batch 1 prompt 512", g, weights / copy * 1e3);
    const double params = static_cast<double>(parameter_count(c));
    std::printf("  TTFT GEMM floor (2 x params x 512 tokens at 700 TFLOP/s) %.2f ms -> %.2fx\n",
                2 * params * 512 / 700e12 * 1e3, g.prefill_ms / (2 * params * 512 / 700e12 * 1e3));
  }
  {
    CudaEngine e(c, 1, CudaEngineOptions{.max_batch = 1, .max_tokens_per_sequence = 512 + 64, .cuda_graphs = false});
    const CudaEngine::Generation g = e.generate_greedy(random_prompts(1, 512, c.vocab_size, 1), 64);
    print_generation("8B batch 1 prompt 512, no CUDA graphs", g, weights / copy * 1e3);
  }
  {
    const int batch = 32, length = 2048, steps = 33;
    CudaEngine e(c, 1, CudaEngineOptions{.max_batch = batch, .max_tokens_per_sequence = length + steps});
    const CudaEngine::Generation g = e.generate_greedy(random_prompts(batch, length, c.vocab_size, 2), steps);
    const double kv = static_cast<double>(kv_bytes_per_token(c, DType::BF16)) * batch * (length + steps / 2);
    print_generation("8B batch 32 prompt 2048", g, (weights + kv) / copy * 1e3);
  }
}

}  // namespace
}  // namespace sb::llm

#else
TEST(LlmEngine, NeedsCuda) { GTEST_SKIP() << "SKIPPED: built without CUDA: the CUDA engine is not tested"; }
#endif
