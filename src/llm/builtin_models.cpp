// The built-in models, written as the config.json they come from, so that they go through the same
// parser as a user's file.
#include "llm/builtin_models.hpp"

#include <map>

namespace sb::llm {

namespace {

// Fields of huggingface.co/meta-llama/Llama-3.2-1B/blob/main/config.json. The meta-llama repository
// is gated; the values were read from public copies of it (huggingface.co/unsloth/Llama-3.2-1B via
// Emm9625/Llama-3.2-1B-chatml, julien-c/Llama-3.2-1B-Instruct), which agree field for field.
constexpr const char* kLlama32_1B = R"({
  "architectures": ["LlamaForCausalLM"], "model_type": "llama",
  "hidden_size": 2048, "intermediate_size": 8192, "num_hidden_layers": 16,
  "num_attention_heads": 32, "num_key_value_heads": 8, "head_dim": 64,
  "vocab_size": 128256, "max_position_embeddings": 131072,
  "rms_norm_eps": 1e-05, "rope_theta": 500000.0,
  "rope_scaling": {"factor": 32.0, "high_freq_factor": 4.0, "low_freq_factor": 1.0,
                   "original_max_position_embeddings": 8192, "rope_type": "llama3"},
  "tie_word_embeddings": true, "attention_bias": false, "mlp_bias": false,
  "hidden_act": "silu", "torch_dtype": "bfloat16"})";

// huggingface.co/meta-llama/Llama-3.2-3B/blob/main/config.json, read from the public copies
// mlx-community/Llama-3.2-3B-bf16 and lhpku20010120/Llama-3.2-3B-Instruct.
constexpr const char* kLlama32_3B = R"({
  "architectures": ["LlamaForCausalLM"], "model_type": "llama",
  "hidden_size": 3072, "intermediate_size": 8192, "num_hidden_layers": 28,
  "num_attention_heads": 24, "num_key_value_heads": 8, "head_dim": 128,
  "vocab_size": 128256, "max_position_embeddings": 131072,
  "rms_norm_eps": 1e-05, "rope_theta": 500000.0,
  "rope_scaling": {"factor": 32.0, "high_freq_factor": 4.0, "low_freq_factor": 1.0,
                   "original_max_position_embeddings": 8192, "rope_type": "llama3"},
  "tie_word_embeddings": true, "attention_bias": false, "mlp_bias": false,
  "hidden_act": "silu", "torch_dtype": "bfloat16"})";

// huggingface.co/meta-llama/Llama-3.1-8B/blob/main/config.json, read from the public copies
// mlx-community/Meta-Llama-3.1-8B-bf16 and NbAiLab/nb-llama-3.1-8B (which adds head_dim: 128).
constexpr const char* kLlama31_8B = R"({
  "architectures": ["LlamaForCausalLM"], "model_type": "llama",
  "hidden_size": 4096, "intermediate_size": 14336, "num_hidden_layers": 32,
  "num_attention_heads": 32, "num_key_value_heads": 8,
  "vocab_size": 128256, "max_position_embeddings": 131072,
  "rms_norm_eps": 1e-05, "rope_theta": 500000.0,
  "rope_scaling": {"factor": 8.0, "high_freq_factor": 4.0, "low_freq_factor": 1.0,
                   "original_max_position_embeddings": 8192, "rope_type": "llama3"},
  "tie_word_embeddings": false, "attention_bias": false, "mlp_bias": false,
  "hidden_act": "silu", "torch_dtype": "bfloat16"})";

// A Llama 3.1 in miniature for tests and for checking the CUDA engine against the reference: GQA
// (2 query heads per KV head), an untied lm_head, and head_dim 32 so that the llama3 frequency
// scaling leaves some frequencies alone, blends one and divides the rest (see rope.hpp).
constexpr const char* kTiny = R"({
  "architectures": ["LlamaForCausalLM"], "model_type": "llama",
  "hidden_size": 128, "intermediate_size": 384, "num_hidden_layers": 2,
  "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 32,
  "vocab_size": 512, "max_position_embeddings": 131072,
  "rms_norm_eps": 1e-05, "rope_theta": 500000.0,
  "rope_scaling": {"factor": 8.0, "high_freq_factor": 4.0, "low_freq_factor": 1.0,
                   "original_max_position_embeddings": 8192, "rope_type": "llama3"},
  "tie_word_embeddings": false, "hidden_act": "silu", "torch_dtype": "bfloat16"})";

const std::map<std::string, const char*>& builtins() {
  static const std::map<std::string, const char*> models = {
      {"llama-3.2-1b", kLlama32_1B}, {"llama-3.2-3b", kLlama32_3B}, {"llama-3.1-8b", kLlama31_8B}, {"tiny", kTiny}};
  return models;
}

}  // namespace

std::vector<std::string> builtin_model_names() {
  std::vector<std::string> names;
  for (const auto& [name, config] : builtins()) names.push_back(name);
  return names;
}

std::optional<std::string_view> builtin_model_json(const std::string& name) {
  const auto it = builtins().find(name);
  if (it == builtins().end()) return std::nullopt;
  return it->second;
}

}  // namespace sb::llm
