#include <gtest/gtest.h>

#include "test_support.hpp"

#include <fstream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "llm/builtin_models.hpp"
#include "llm/model_config.hpp"
#include "llm/weights.hpp"
#include "llm_test_files.hpp"

namespace sb::llm {
namespace {

using nlohmann::json;

using sb::test::message_of;

// The published sizes: the Hugging Face model pages list "Model size" 1.24B, 3.21B and 8.03B params
// (from the safetensors headers); Meta's Llama 3.2 model card gives 1.23B (truncated) and 3.21B.
TEST(LlmModelConfig, ParameterCountsMatchThePublishedSizes) {
  EXPECT_NEAR(static_cast<double>(parameter_count(builtin_model("llama-3.2-1b"))), 1.24e9, 0.005e9);
  EXPECT_NEAR(static_cast<double>(parameter_count(builtin_model("llama-3.2-3b"))), 3.21e9, 0.005e9);
  EXPECT_NEAR(static_cast<double>(parameter_count(builtin_model("llama-3.1-8b"))), 8.03e9, 0.005e9);
  // The issue's 16.1 GB of bf16 weights per 8B decode step.
  EXPECT_NEAR(static_cast<double>(weight_bytes(builtin_model("llama-3.1-8b"), DType::BF16)), 16.06e9, 0.005e9);
}

TEST(LlmModelConfig, ParameterCountIsTheSumOfTheTensorShapes) {
  for (const std::string& name : builtin_model_names()) {
    ModelConfig c = builtin_model(name);
    for (bool bias : {false, true}) {
      c.attention_bias = c.attention_output_bias = bias;
      std::int64_t sum = 0;
      for (const TensorSpec& s : expected_tensors(c)) sum += element_count(s.shape);
      EXPECT_EQ(parameter_count(c), sum) << name;
    }
  }
}

TEST(LlmModelConfig, BuiltinShapes) {
  const ModelConfig c = builtin_model("llama-3.1-8b");
  EXPECT_EQ(c.hidden_size, 4096);
  EXPECT_EQ(c.num_kv_heads, 8);
  EXPECT_EQ(c.head_dim, 128);  // hidden_size / num_heads: the 8B config.json does not state it
  EXPECT_FALSE(c.tie_word_embeddings);
  EXPECT_EQ(c.rope_scaling.factor, 8.0);
  EXPECT_EQ(c.dtype, DType::BF16);
  const ModelConfig small = builtin_model("llama-3.2-1b");
  EXPECT_TRUE(small.tie_word_embeddings);
  EXPECT_EQ(small.rope_scaling.factor, 32.0);
  EXPECT_EQ(small.rope_scaling.original_max_position_embeddings, 8192);
  EXPECT_EQ(builtin_model("llama-3.2-3b").head_dim, 128);
  EXPECT_EQ(builtin_model("tiny").name, "tiny");
}

// The table holds only the texts; resolve_model and builtin_model parse them (model_config.cpp).
TEST(LlmModelConfig, BuiltinTableHoldsEachModelsConfigJson) {
  EXPECT_EQ(builtin_model_names(), (std::vector<std::string>{"llama-3.1-8b", "llama-3.2-1b", "llama-3.2-3b", "tiny"}));
  for (const std::string& name : builtin_model_names()) {
    const std::optional<std::string_view> text = builtin_model_json(name);
    ASSERT_TRUE(text.has_value()) << name;
    EXPECT_EQ(json::parse(*text).at("model_type"), "llama") << name;
    EXPECT_EQ(resolve_model(name).hidden_size, builtin_model(name).hidden_size) << name;
    EXPECT_EQ(resolve_model(name).name, name);
  }
  EXPECT_FALSE(builtin_model_json("llama-9b").has_value());
  EXPECT_FALSE(builtin_model_json("").has_value());
}

TEST(LlmModelConfig, UnknownModelListsTheBuiltins) {
  const std::string msg = message_of([] { resolve_model("llama-9b"); });
  EXPECT_NE(msg.find("unknown model 'llama-9b'"), std::string::npos) << msg;
  for (const char* name : {"llama-3.2-1b", "llama-3.2-3b", "llama-3.1-8b", "tiny"}) {
    EXPECT_NE(msg.find(name), std::string::npos) << msg;
  }
  EXPECT_NE(msg.find("config.json"), std::string::npos) << msg;
}

// Qwen2.5-0.5B's config.json (huggingface.co/Qwen/Qwen2.5-0.5B), abridged to the fields we read.
constexpr const char* kQwen = R"({
  "architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2", "hidden_act": "silu",
  "hidden_size": 896, "intermediate_size": 4864, "num_hidden_layers": 24,
  "num_attention_heads": 14, "num_key_value_heads": 2, "vocab_size": 151936,
  "max_position_embeddings": 32768, "rms_norm_eps": 1e-06, "rope_theta": 1000000.0,
  "tie_word_embeddings": true, "torch_dtype": "bfloat16", "use_sliding_window": false})";

TEST(LlmModelConfig, ParsesQwen2WithItsBiases) {
  const ModelConfig c = model_config_from_json(json::parse(kQwen), "qwen.json");
  EXPECT_EQ(c.model_type, "qwen2");
  EXPECT_EQ(c.head_dim, 64);
  EXPECT_TRUE(c.attention_bias);
  EXPECT_FALSE(c.attention_output_bias);
  EXPECT_FALSE(c.rope_scaling.enabled());
  EXPECT_EQ(c.rms_norm_eps, 1e-6);
  // 494M parameters, as the model page states ("0.49B"; 0.36B without the embedding).
  EXPECT_NEAR(static_cast<double>(parameter_count(c)), 0.494e9, 0.0005e9);
}

TEST(LlmModelConfig, LoadsAFileOrAFolder) {
  test::TempDir dir;
  std::ofstream(dir / "config.json") << kQwen;
  EXPECT_EQ(resolve_model((dir / "config.json").string()).hidden_size, 896);
  EXPECT_EQ(resolve_model(dir.path().string()).hidden_size, 896);
}

json tiny_json() {
  return json::parse(R"({"model_type": "llama", "hidden_size": 64, "intermediate_size": 128,
    "num_hidden_layers": 1, "num_attention_heads": 4, "vocab_size": 100})");
}

std::string parse_error(const json& j) {
  return message_of([&] { model_config_from_json(j, "my/config.json"); });
}

TEST(LlmModelConfig, DefaultsFollowTransformers) {
  const ModelConfig c = model_config_from_json(tiny_json(), "x");
  EXPECT_EQ(c.num_kv_heads, 4);  // LlamaConfig: num_key_value_heads defaults to num_attention_heads
  EXPECT_EQ(c.head_dim, 16);
  EXPECT_EQ(c.rope_theta, 10000.0);
  EXPECT_EQ(c.max_position_embeddings, 2048);
  EXPECT_EQ(c.dtype, DType::F32);
}

TEST(LlmModelConfig, ErrorsNameTheFileAndTheField) {
  json j = tiny_json();
  j.erase("hidden_size");
  EXPECT_NE(parse_error(j).find("my/config.json: field 'hidden_size' is missing"), std::string::npos) << parse_error(j);
  EXPECT_NE(parse_error(j).find("built-in model (llama-3.1-8b, llama-3.2-1b, llama-3.2-3b, tiny)"), std::string::npos)
      << parse_error(j);

  j = tiny_json();
  j["num_hidden_layers"] = "two";
  EXPECT_NE(parse_error(j).find("field 'num_hidden_layers' must be an integer"), std::string::npos) << parse_error(j);

  j = tiny_json();
  j["num_key_value_heads"] = 3;
  EXPECT_NE(parse_error(j).find("field 'num_key_value_heads' (3) must divide num_attention_heads (4)"),
            std::string::npos) << parse_error(j);

  j = tiny_json();
  j["model_type"] = "mistral";
  EXPECT_NE(parse_error(j).find("model_type 'mistral' is not supported"), std::string::npos) << parse_error(j);

  j = tiny_json();
  j["architectures"] = {"LlamaForSequenceClassification"};
  EXPECT_NE(parse_error(j).find("field 'architectures'"), std::string::npos) << parse_error(j);

  j = tiny_json();
  j["rope_scaling"] = {{"rope_type", "yarn"}, {"factor", 4.0}};
  EXPECT_NE(parse_error(j).find("field 'rope_scaling.rope_type' is 'yarn'"), std::string::npos) << parse_error(j);

  j = tiny_json();
  j["rope_scaling"] = {{"rope_type", "llama3"}, {"factor", 8.0}, {"low_freq_factor", 1.0}, {"high_freq_factor", 4.0}};
  EXPECT_NE(parse_error(j).find("field 'rope_scaling.original_max_position_embeddings' is missing"), std::string::npos)
      << parse_error(j);

  j = tiny_json();
  j["torch_dtype"] = "int4";
  EXPECT_NE(parse_error(j).find("field 'torch_dtype' is 'int4'"), std::string::npos) << parse_error(j);

  j = tiny_json();
  j["hidden_act"] = "gelu";
  EXPECT_NE(parse_error(j).find("field 'hidden_act'"), std::string::npos) << parse_error(j);
}

TEST(LlmModelConfig, MalformedJsonNamesTheFile) {
  test::TempDir dir;
  std::ofstream(dir / "config.json") << R"({"model_type": "llama", "hidden_size": )";
  const std::string msg = message_of([&] { load_model_config(dir / "config.json"); });
  EXPECT_NE(msg.find((dir / "config.json").string() + ": malformed JSON"), std::string::npos) << msg;
}

TEST(LlmModelConfig, OldStyleRopeScalingTypeKey) {
  json j = tiny_json();
  j["rope_scaling"] = {{"type", "llama3"}, {"factor", 8.0}, {"low_freq_factor", 1.0}, {"high_freq_factor", 4.0},
                       {"original_max_position_embeddings", 8192}};
  EXPECT_EQ(model_config_from_json(j, "x").rope_scaling.factor, 8.0);
}

}  // namespace
}  // namespace sb::llm
