#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "core/error.hpp"
#include "llm/weights.hpp"

namespace sb::llm {
namespace {

std::string check_message(const Weights& w, const ModelConfig& c) {
  try {
    check_weights(w, c, "ckpt.safetensors");
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(LlmWeights, TensorSetOfTheTinyModel) {
  const ModelConfig c = builtin_model("tiny");
  const std::vector<TensorSpec> specs = expected_tensors(c);
  ASSERT_EQ(specs.size(), 1u + 2 * 9 + 2);  // embedding, 9 per layer, final norm, untied lm_head
  EXPECT_EQ(specs.front().name, "model.embed_tokens.weight");
  EXPECT_EQ(specs.front().shape, (Shape{512, 128}));
  EXPECT_EQ(specs[2].name, "model.layers.0.self_attn.q_proj.weight");
  EXPECT_EQ(specs[2].shape, (Shape{128, 128}));
  EXPECT_EQ(specs[3].name, "model.layers.0.self_attn.k_proj.weight");
  EXPECT_EQ(specs[3].shape, (Shape{64, 128}));  // 2 KV heads x 32
  EXPECT_EQ(specs.back().name, "lm_head.weight");

  ModelConfig qwen_like = c;
  qwen_like.attention_bias = true;
  qwen_like.tie_word_embeddings = true;
  const ExpectedShapes shapes = expected_shapes(qwen_like);
  EXPECT_EQ(shapes.at("model.layers.1.self_attn.k_proj.bias"), (Shape{64}));
  EXPECT_FALSE(shapes.count("lm_head.weight"));
  EXPECT_FALSE(shapes.count("model.layers.1.self_attn.o_proj.bias"));
}

double stdev(const std::vector<float>& v, float center) {
  double sum = 0;
  for (float x : v) sum += (x - center) * static_cast<double>(x - center);
  return std::sqrt(sum / static_cast<double>(v.size()));
}

TEST(LlmWeights, SyntheticWeightsAreSeededAndScaled) {
  const ModelConfig c = builtin_model("tiny");
  const Weights a = synthetic_weights(c, 7);
  const Weights b = synthetic_weights(c, 7);
  const Weights other = synthetic_weights(c, 8);
  EXPECT_EQ(a.at("model.layers.0.mlp.up_proj.weight").data, b.at("model.layers.0.mlp.up_proj.weight").data);
  EXPECT_NE(a.at("model.layers.0.mlp.up_proj.weight").data, other.at("model.layers.0.mlp.up_proj.weight").data);
  // Two tensors of the same shape get different values.
  EXPECT_NE(a.at("model.layers.0.mlp.up_proj.weight").data, a.at("model.layers.0.mlp.gate_proj.weight").data);
  check_weights(a, c, "synthetic");

  EXPECT_NEAR(stdev(a.at("model.layers.0.mlp.down_proj.weight").data, 0), 1 / std::sqrt(384.0), 0.02 / std::sqrt(384.0));
  EXPECT_NEAR(stdev(a.at("model.layers.1.self_attn.q_proj.weight").data, 0), 1 / std::sqrt(128.0), 0.02 / std::sqrt(128.0));
  EXPECT_NEAR(stdev(a.at("model.embed_tokens.weight").data, 0), 2 / std::sqrt(128.0), 0.04 / std::sqrt(128.0));
  for (float x : a.at("model.norm.weight").data) {
    EXPECT_GE(x, 0.9f);
    EXPECT_LE(x, 1.1f);
  }
}

TEST(LlmWeights, SyntheticValuesAreUniformOnMinusOneOne) {
  const std::uint64_t stream = tensor_stream(1, "x");
  double sum = 0;
  double sum_sq = 0;
  const int n = 100000;
  for (int i = 0; i < n; ++i) {
    const float v = synthetic_value(stream, i);
    ASSERT_GE(v, -1.0f);
    ASSERT_LT(v, 1.0f);
    sum += v;
    sum_sq += v * static_cast<double>(v);
  }
  EXPECT_NEAR(sum / n, 0.0, 0.01);          // mean 0, sd of the mean 0.0018
  EXPECT_NEAR(sum_sq / n, 1.0 / 3.0, 0.01);  // variance of U(-1, 1)
}

TEST(LlmWeights, CheckNamesMissingMisshapedAndUnexpectedTensors) {
  const ModelConfig c = builtin_model("tiny");
  Weights w = synthetic_weights(c, 1);
  Weights missing;
  for (const auto& [name, t] : w.all()) {
    if (name != "model.layers.1.mlp.gate_proj.weight") missing.insert(name, t);
  }
  std::string msg = check_message(missing, c);
  EXPECT_NE(msg.find("ckpt.safetensors: tensor 'model.layers.1.mlp.gate_proj.weight' is missing"), std::string::npos) << msg;

  Weights misshaped = w;
  misshaped.insert("model.norm.weight", Tensor{{64}, std::vector<float>(64, 1.0f)});
  msg = check_message(misshaped, c);
  EXPECT_NE(msg.find("tensor 'model.norm.weight' has shape [64] but the model config expects [128]"), std::string::npos) << msg;

  ModelConfig tied = c;
  tied.tie_word_embeddings = true;
  msg = check_message(w, tied);
  EXPECT_NE(msg.find("tensor 'lm_head.weight' is not part of this model"), std::string::npos) << msg;
}

}  // namespace
}  // namespace sb::llm
