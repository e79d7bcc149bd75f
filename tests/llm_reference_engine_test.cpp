#include <gtest/gtest.h>

#include "test_support.hpp"

#include <cmath>
#include <functional>
#include <numeric>
#include <string>

#include "core/error.hpp"
#include "llm/reference_engine.hpp"
#include "llm/reference_ops.hpp"
#include "llm/rope.hpp"

namespace sb::llm {
namespace {

using sb::test::message_of;

const ReferenceEngine& tiny_engine() {
  static const ReferenceEngine engine(builtin_model("tiny"), synthetic_weights(builtin_model("tiny"), 1));
  return engine;
}

const std::vector<std::int32_t> kPrompt = {1, 7, 42, 300, 511, 3, 99, 256};

void expect_close(const std::vector<float>& a, const std::vector<float>& b, float tolerance) {
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) ASSERT_NEAR(a[i], b[i], tolerance) << "index " << i;
}

// By hand: mean(x^2) = (1 + 4 + 9 + 16) / 4 = 7.5, scale = 1 / sqrt(7.5 + 1e-5) = 0.3651481282381064.
TEST(LlmReferenceOps, RmsNormByHand) {
  const std::vector<float> x = {1, 2, 3, 4};
  const std::vector<float> weight = {1, 0.5f, 2, 1};
  std::vector<float> out(4);
  rms_norm(x, weight, 1e-5, out);
  EXPECT_FLOAT_EQ(out[0], 0.3651481282381064f);
  EXPECT_FLOAT_EQ(out[1], 0.3651481282381064f);
  EXPECT_FLOAT_EQ(out[2], 2.1908887694286383f);
  EXPECT_FLOAT_EQ(out[3], 1.4605925129524255f);
}

TEST(LlmReferenceOps, SoftmaxSiluArgmax) {
  std::vector<float> x = {1000, 1001};  // exp(1000) would overflow without the max shift
  softmax(x);
  EXPECT_NEAR(x[0], 1 / (1 + std::exp(1.0)), 1e-7);
  EXPECT_NEAR(x[1], std::exp(1.0) / (1 + std::exp(1.0)), 1e-7);
  EXPECT_NEAR(silu(1.0f), 1.0 / (1.0 + std::exp(-1.0)), 1e-7);
  EXPECT_EQ(argmax(std::vector<float>{1, 3, 3, 2}), 1);  // first of equal maxima, as torch.argmax
}

// numpy, transcribing transformers' _compute_llama3_parameters (modeling_rope_utils.py) in float64:
//   inv = 1/(theta**(np.arange(0, d, 2)/d)); wl = 2*pi/inv; lw, hw = L/low, L/high
//   f = np.where(wl > lw, inv/factor, inv); s = (L/wl - low)/(high - low)
//   np.where(~(wl < hw) * ~(wl > lw), (1 - s)*f/factor + s*f, f)
TEST(LlmRope, Llama3FrequenciesMatchTransformersFormula) {
  const std::vector<double> tiny = rope_inverse_frequencies(builtin_model("tiny"));  // d 32, factor 8
  ASSERT_EQ(tiny.size(), 16u);
  EXPECT_DOUBLE_EQ(tiny[0], 1.0);
  EXPECT_NEAR(tiny[1], 0.44036660267178046, 1e-15);      // high frequency: unchanged
  EXPECT_NEAR(tiny[7], 0.0032114459947525913, 1e-17);    // wavelength 1957 < 8192 / 4: unchanged
  EXPECT_NEAR(tiny[8], 0.0005248461609929547, 1e-17);    // between: blended
  EXPECT_NEAR(tiny[9], 7.78465527393245e-05, 1e-18);     // low frequency: divided by 8
  EXPECT_NEAR(tiny[15], 5.677088100759837e-07, 1e-20);

  const std::vector<double> one_b = rope_inverse_frequencies(builtin_model("llama-3.2-1b"));  // d 64, factor 32
  ASSERT_EQ(one_b.size(), 32u);
  EXPECT_NEAR(one_b[10], 0.016560440080994446, 1e-16);
  EXPECT_NEAR(one_b[15], 0.001290547928209264, 1e-17);
  EXPECT_NEAR(one_b[16], 0.00042955679655936815, 1e-17);
  EXPECT_NEAR(one_b[17], 9.70828780262767e-05, 1e-18);
  EXPECT_NEAR(one_b[20], 8.570255489881478e-06, 1e-19);
  EXPECT_NEAR(one_b[31], 9.418306725434911e-08, 1e-21);

  ModelConfig plain = builtin_model("tiny");
  plain.rope_scaling = {};
  EXPECT_NEAR(rope_inverse_frequencies(plain)[15], std::pow(500000.0, -30.0 / 32.0), 1e-20);
}

// numpy: x = [0.1 i - 1.5], y = x * cos(p * f) + rotate_half(x) * sin(p * f) at p = 1000, with the
// tiny model's frequencies, rotate_half(x) = concat(-x[16:], x[:16]) (transformers' apply_rotary_pos_emb).
TEST(LlmRope, RotationMatchesRotateHalf) {
  std::vector<float> x(32);
  for (int i = 0; i < 32; ++i) x[i] = 0.1f * static_cast<float>(i) - 1.5f;
  apply_rope(x.data(), 32, 1000, rope_inverse_frequencies(builtin_model("tiny")));
  const std::pair<int, double> expected[] = {{0, -0.9262565684892546}, {5, 1.1098679946723538},
                                             {8, -1.056752616596485},  {9, -0.6759508426273435},
                                             {16, -1.1840814031689333}, {21, 0.35804054854439066},
                                             {24, 0.4281050190274384},  {31, 1.5999997421653727}};
  for (const auto& [i, value] : expected) EXPECT_NEAR(x[i], value, 2e-6) << i;
}

TEST(LlmReferenceEngine, DecodeAfterPrefillEqualsPrefillOfTheWhole) {
  const ReferenceEngine& engine = tiny_engine();
  std::vector<std::int32_t> prompt(kPrompt.begin(), kPrompt.end() - 3);
  KvCache cache = engine.new_cache(static_cast<std::int64_t>(kPrompt.size()));
  engine.prefill(cache, prompt);
  std::vector<float> logits;
  for (std::size_t i = prompt.size(); i < kPrompt.size(); ++i) logits = engine.decode_step(cache, kPrompt[i]);
  EXPECT_EQ(cache.length(), static_cast<std::int64_t>(kPrompt.size()));

  KvCache whole = engine.new_cache(static_cast<std::int64_t>(kPrompt.size()));
  expect_close(logits, engine.prefill(whole, kPrompt), 1e-5f);

  // Prefill in two chunks, too.
  KvCache chunked = engine.new_cache(static_cast<std::int64_t>(kPrompt.size()));
  engine.prefill(chunked, std::span(kPrompt).first(5));
  expect_close(logits, engine.prefill(chunked, std::span(kPrompt).subspan(5)), 1e-5f);
}

TEST(LlmReferenceEngine, LogitsAreFiniteAndSpreadLikeALanguageModel) {
  const ReferenceEngine& engine = tiny_engine();
  KvCache cache = engine.new_cache(16);
  std::vector<float> logits = engine.prefill(cache, kPrompt);
  ASSERT_EQ(logits.size(), 512u);
  for (float v : logits) ASSERT_TRUE(std::isfinite(v));
  const auto [lo, hi] = std::minmax_element(logits.begin(), logits.end());
  EXPECT_GT(*hi - *lo, 1.0f);
  softmax(logits);
  double entropy = 0;
  for (float p : logits) entropy -= p > 0 ? p * std::log(static_cast<double>(p)) : 0.0;
  const double uniform = std::log(512.0);
  // Neither flat (entropy log(vocab)) nor one-hot (0): logits with a spread of about 2 give about
  // log(vocab) - 2 (see synthetic_weights).
  EXPECT_LT(entropy, uniform - 1.0) << entropy;
  EXPECT_GT(entropy, 1.0) << entropy;
}

TEST(LlmReferenceEngine, GreedyDecodingIsDeterministicAndBatchIndependent) {
  const ReferenceEngine& engine = tiny_engine();
  const std::vector<std::vector<std::int32_t>> prompts = {kPrompt, {5, 4, 3}, {500}};
  const auto first = engine.generate_greedy(prompts, 6);
  const auto second = engine.generate_greedy(prompts, 6);
  EXPECT_EQ(first, second);
  ASSERT_EQ(first.size(), 3u);
  for (const auto& tokens : first) EXPECT_EQ(tokens.size(), 6u);
  EXPECT_EQ(engine.generate_greedy({{5, 4, 3}}, 6)[0], first[1]);  // a sequence does not see its batch mates
  EXPECT_NE(first[0], first[1]);
}

TEST(LlmReferenceEngine, GqaWithTiedEmbeddingAndQwen2Biases) {
  ModelConfig c = builtin_model("tiny");
  c.model_type = "qwen2";
  c.attention_bias = true;
  c.tie_word_embeddings = true;
  const ReferenceEngine engine(c, synthetic_weights(c, 2));
  KvCache a = engine.new_cache(8);
  engine.prefill(a, std::span(kPrompt).first(4));
  const std::vector<float> step = engine.decode_step(a, kPrompt[4]);
  KvCache b = engine.new_cache(8);
  expect_close(step, engine.prefill(b, std::span(kPrompt).first(5)), 1e-5f);
}

// transformers 5.17.0 (torch 2.11.0, fp32, CPU) on the same weights and prompt, computed by
// tests/data/llm/transformers_tiny.py: the llama model (GQA, llama3 RoPE scaling, untied lm_head)
// and a qwen2 twin (q/k/v biases, tied embedding, plain RoPE with theta 1e6). All 512 logits agreed
// within 7e-6 at the time; five are pinned here, with the greedy continuations.
TEST(LlmReferenceEngine, MatchesTransformers) {
  struct Case {
    const char* config;
    std::pair<int, float> logits[5];
    std::vector<std::int32_t> greedy;
  };
  const Case cases[] = {
      {R"({"model_type": "llama", "hidden_size": 128, "intermediate_size": 384, "num_hidden_layers": 2,
           "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 32, "vocab_size": 512,
           "max_position_embeddings": 131072, "rms_norm_eps": 1e-5, "rope_theta": 500000.0,
           "rope_scaling": {"factor": 8.0, "high_freq_factor": 4.0, "low_freq_factor": 1.0,
                            "original_max_position_embeddings": 8192, "rope_type": "llama3"}})",
       {{0, -0.4008147120475769f}, {1, -1.0856938362121582f}, {100, -0.5777127742767334f},
        {255, 1.5437477827072144f}, {511, 3.492999315261841f}},
       {52, 464, 320, 326, 342, 142}},
      {R"({"model_type": "qwen2", "hidden_size": 128, "intermediate_size": 384, "num_hidden_layers": 2,
           "num_attention_heads": 4, "num_key_value_heads": 2, "vocab_size": 512,
           "max_position_embeddings": 4096, "rms_norm_eps": 1e-6, "rope_theta": 1000000.0,
           "tie_word_embeddings": true})",
       {{0, -1.0220444202423096f}, {1, 2.1587092876434326f}, {100, 0.7563727498054504f},
        {255, -0.8983698487281799f}, {511, 1.8452337980270386f}},
       {135, 443, 443, 443, 443, 443}},
  };
  for (const Case& test_case : cases) {
    const ModelConfig c = model_config_from_json(nlohmann::json::parse(test_case.config), "test");
    const ReferenceEngine engine(c, synthetic_weights(c, 1));
    KvCache cache = engine.new_cache(8);
    const std::vector<float> logits = engine.prefill(cache, kPrompt);
    for (const auto& [index, value] : test_case.logits) EXPECT_NEAR(logits[index], value, 5e-5) << c.model_type << " " << index;
    EXPECT_EQ(engine.generate_greedy({kPrompt}, 6)[0], test_case.greedy) << c.model_type;
  }
}

TEST(LlmReferenceEngine, BadInputs) {
  const ReferenceEngine& engine = tiny_engine();
  KvCache cache = engine.new_cache(4);
  EXPECT_NE(message_of([&] { engine.prefill(cache, kPrompt); }).find("the KV cache holds 4 positions"), std::string::npos);
  EXPECT_NE(message_of([&] { engine.decode_step(cache, 512); }).find("token 512 is outside the vocabulary [0, 512)"),
            std::string::npos);
  EXPECT_EQ(cache.length(), 0);
  const std::string msg = message_of([] { ReferenceEngine e(builtin_model("tiny"), Weights{}); });
  EXPECT_NE(msg.find("tensor 'lm_head.weight' is missing"), std::string::npos) << msg;
}

}  // namespace
}  // namespace sb::llm
