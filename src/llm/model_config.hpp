#pragma once
// The shape of a Llama-architecture model (Llama 2/3.x, Qwen2): everything the engines, the weight
// readers and the memory planner need to know, from a built-in name or a Hugging Face config.json.
#include <cstdint>
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "llm/dtype.hpp"

namespace sb::llm {

// Llama 3.1's RoPE frequency scaling (Hugging Face rope_scaling {"rope_type": "llama3", ...}).
// factor == 0 means no scaling: plain RoPE with rope_theta.
struct RopeScaling {
  double factor = 0;
  double low_freq_factor = 0;
  double high_freq_factor = 0;
  std::int64_t original_max_position_embeddings = 0;
  bool enabled() const { return factor != 0; }
};

struct ModelConfig {
  std::string name;        // built-in name, or where the config came from
  std::string model_type;  // "llama" or "qwen2" (decides the GGUF Q/K layout, see gguf.hpp)
  std::int64_t hidden_size = 0;
  std::int64_t intermediate_size = 0;
  std::int64_t num_layers = 0;
  std::int64_t num_heads = 0;
  std::int64_t num_kv_heads = 0;  // < num_heads: grouped-query attention
  std::int64_t head_dim = 0;      // usually hidden_size / num_heads; config.json may say otherwise
  std::int64_t vocab_size = 0;
  std::int64_t max_position_embeddings = 0;
  double rms_norm_eps = 1e-5;
  double rope_theta = 10000;
  RopeScaling rope_scaling;
  bool tie_word_embeddings = false;  // lm_head shares model.embed_tokens.weight
  bool attention_bias = false;         // q/k/v projections have a bias (Qwen2)
  bool attention_output_bias = false;  // o_proj has a bias (Llama with attention_bias: true)
  DType dtype = DType::BF16;           // the checkpoint's dtype (torch_dtype)

  std::int64_t q_dim() const { return num_heads * head_dim; }
  std::int64_t kv_dim() const { return num_kv_heads * head_dim; }
};

// A built-in model (builtin_models.hpp names them), parsed. Throws sb::Error naming the unknown
// model and listing the built-in names.
ModelConfig builtin_model(const std::string& name);

// Parses a Hugging Face config.json of the Llama/Qwen2 family. `source` names the file in errors.
// Throws sb::Error naming the file and the field for missing, mistyped or unsupported fields.
ModelConfig model_config_from_json(const nlohmann::json& config, const std::string& source);
// Reads a config.json file (or a model directory holding one).
ModelConfig load_model_config(const std::filesystem::path& path);
// A built-in name, or a path to a config.json or to a directory holding one. An unknown name
// throws sb::Error listing the built-in names.
ModelConfig resolve_model(const std::string& name_or_path);

// Checks the invariants the engines rely on (positive sizes, heads divisible by KV heads, even
// head_dim); throws sb::Error naming `source` and the offending field.
void validate(const ModelConfig& c, const std::string& source);

// Number of parameters (embedding, every layer, final norm, lm_head unless tied).
std::int64_t parameter_count(const ModelConfig& c);
std::int64_t weight_bytes(const ModelConfig& c, DType t);

}  // namespace sb::llm
