// Parsing and checking Hugging Face config.json files of the Llama/Qwen2 family.
#include "llm/model_config.hpp"

#include <fstream>
#include <optional>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/error.hpp"
#include "llm/builtin_models.hpp"

namespace sb::llm {

namespace {

using nlohmann::json;

std::string config_fix() {
  return fmt::format("pass the config.json of a Hugging Face Llama or Qwen2 model (model_type llama or qwen2), or a "
                     "built-in model ({})",
                     fmt::join(builtin_model_names(), ", "));
}

// Defaults transformers applies when a field is absent (LlamaConfig / Qwen2Config __init__).
struct FamilyDefaults {
  std::int64_t max_position_embeddings;
  std::optional<std::int64_t> num_kv_heads;  // nullopt: num_attention_heads
  const char* architecture;
};

FamilyDefaults family_defaults(const std::string& model_type) {
  if (model_type == "qwen2") return {32768, 32, "Qwen2ForCausalLM"};
  return {2048, std::nullopt, "LlamaForCausalLM"};
}

[[noreturn]] void field_error(const std::string& source, const std::string& field, const std::string& what) {
  throw Error(fmt::format("{}: field '{}' {}", source, field, what), config_fix());
}

// Typed access to the fields of one JSON object; errors name the file and the field's full path.
class Fields {
 public:
  Fields(const json& object, const std::string& source, std::string prefix = "")
      : object_(object), source_(source), prefix_(std::move(prefix)) {}

  const json* find(const char* key) const {
    const auto it = object_.find(key);
    return it == object_.end() || it->is_null() ? nullptr : &*it;
  }
  bool has(const char* key) const { return find(key) != nullptr; }

  [[noreturn]] void fail(const char* key, const std::string& what) const { field_error(source_, prefix_ + key, what); }

  std::int64_t integer(const char* key, std::optional<std::int64_t> fallback = std::nullopt) const {
    const json* value = required(key, fallback.has_value());
    if (!value) return *fallback;
    if (!value->is_number_integer()) fail(key, fmt::format("must be an integer (got {})", value->dump()));
    return value->get<std::int64_t>();
  }
  double number(const char* key, std::optional<double> fallback = std::nullopt) const {
    const json* value = required(key, fallback.has_value());
    if (!value) return *fallback;
    if (!value->is_number()) fail(key, fmt::format("must be a number (got {})", value->dump()));
    return value->get<double>();
  }
  bool boolean(const char* key, bool fallback) const {
    const json* value = find(key);
    if (!value) return fallback;
    if (!value->is_boolean()) fail(key, fmt::format("must be true or false (got {})", value->dump()));
    return value->get<bool>();
  }
  std::string string(const char* key) const {
    const json* value = required(key, false);
    if (!value->is_string()) fail(key, fmt::format("must be a string (got {})", value->dump()));
    return value->get<std::string>();
  }

 private:
  const json* required(const char* key, bool optional) const {
    const json* value = find(key);
    if (!value && !optional) fail(key, "is missing");
    return value;
  }

  const json& object_;
  const std::string& source_;
  std::string prefix_;
};

RopeScaling parse_rope_scaling(const Fields& config, const std::string& source) {
  const json* scaling = config.find("rope_scaling");
  if (!scaling) return {};
  if (!scaling->is_object()) config.fail("rope_scaling", fmt::format("must be an object or null (got {})", scaling->dump()));
  const Fields fields(*scaling, source, "rope_scaling.");
  // Older configs spell rope_type as "type".
  const char* type_key = fields.has("rope_type") ? "rope_type" : "type";
  const std::string type = fields.string(type_key);
  if (type == "default") return {};
  if (type != "llama3") {
    throw Error(fmt::format("{}: field 'rope_scaling.{}' is '{}', which sparkbench's engine does not implement",
                            source, type_key, type),
                "only llama3 RoPE scaling (or none) is supported; use a model without this scaling");
  }
  RopeScaling r;
  r.factor = fields.number("factor");
  r.low_freq_factor = fields.number("low_freq_factor");
  r.high_freq_factor = fields.number("high_freq_factor");
  r.original_max_position_embeddings = fields.integer("original_max_position_embeddings");
  return r;
}

void check_architecture(const Fields& config, const std::string& expected) {
  const json* architectures = config.find("architectures");
  if (!architectures) return;
  if (!architectures->is_array()) config.fail("architectures", "must be a list of class names");
  for (const json& a : *architectures) {
    if (a.is_string() && a.get<std::string>() == expected) return;
  }
  config.fail("architectures", fmt::format("is {} but sparkbench's engine runs {} (a causal language model)",
                                           architectures->dump(), expected));
}

DType parse_dtype(const Fields& config) {
  // transformers writes "torch_dtype"; recent releases write "dtype".
  for (const char* key : {"torch_dtype", "dtype"}) {
    const json* value = config.find(key);
    if (!value) continue;
    const std::string text = value->is_string() ? value->get<std::string>() : value->dump();
    if (auto t = dtype_from_string(text)) return *t;
    config.fail(key, fmt::format("is '{}'; supported: float32, float16, bfloat16", text));
  }
  return DType::F32;  // what transformers loads when the checkpoint does not say
}

}  // namespace

ModelConfig model_config_from_json(const json& config, const std::string& source) {
  if (!config.is_object()) throw Error(fmt::format("{}: not a JSON object", source), config_fix());
  const Fields f(config, source);
  ModelConfig c;
  c.name = source;
  c.model_type = f.string("model_type");
  if (c.model_type != "llama" && c.model_type != "qwen2") {
    throw Error(fmt::format("{}: model_type '{}' is not supported", source, c.model_type),
                "sparkbench's engine runs the Llama and Qwen2 families (model_type llama or qwen2)");
  }
  const FamilyDefaults defaults = family_defaults(c.model_type);
  check_architecture(f, defaults.architecture);

  c.hidden_size = f.integer("hidden_size");
  c.intermediate_size = f.integer("intermediate_size");
  c.num_layers = f.integer("num_hidden_layers");
  c.num_heads = f.integer("num_attention_heads");
  if (c.num_heads <= 0) f.fail("num_attention_heads", fmt::format("must be positive (got {})", c.num_heads));
  c.num_kv_heads = f.integer("num_key_value_heads", defaults.num_kv_heads.value_or(c.num_heads));
  if (!f.has("head_dim") && c.hidden_size % c.num_heads != 0) {
    f.fail("hidden_size", fmt::format("({}) is not a multiple of num_attention_heads ({}) and head_dim is not given",
                                      c.hidden_size, c.num_heads));
  }
  c.head_dim = f.integer("head_dim", c.hidden_size / c.num_heads);
  c.vocab_size = f.integer("vocab_size");
  c.max_position_embeddings = f.integer("max_position_embeddings", defaults.max_position_embeddings);
  c.rms_norm_eps = f.number("rms_norm_eps", 1e-6);
  c.rope_theta = f.number("rope_theta", 10000.0);
  c.rope_scaling = parse_rope_scaling(f, source);
  c.tie_word_embeddings = f.boolean("tie_word_embeddings", false);
  c.dtype = parse_dtype(f);

  if (c.model_type == "qwen2") {
    // Qwen2's q/k/v projections always carry a bias, its o_proj never does.
    c.attention_bias = true;
    c.attention_output_bias = false;
    if (f.boolean("use_sliding_window", false)) {
      throw Error(fmt::format("{}: field 'use_sliding_window' is true", source),
                  "sliding-window attention is not implemented; use a model without it");
    }
  } else {
    c.attention_bias = c.attention_output_bias = f.boolean("attention_bias", false);
  }
  if (f.boolean("mlp_bias", false)) {
    throw Error(fmt::format("{}: field 'mlp_bias' is true", source), "MLP biases are not implemented; use a model without them");
  }
  if (const json* act = f.find("hidden_act"); act && !(act->is_string() && act->get<std::string>() == "silu")) {
    f.fail("hidden_act", fmt::format("is {}; the engine implements SwiGLU (silu)", act->dump()));
  }
  validate(c, source);
  return c;
}

ModelConfig load_model_config(const std::filesystem::path& path) {
  const std::filesystem::path file = std::filesystem::is_directory(path) ? path / "config.json" : path;
  std::ifstream in(file);
  if (!in) {
    throw Error(fmt::format("cannot read model config {}", file.string()),
                "check the path: it should be a Hugging Face config.json or the model folder holding one");
  }
  json config;
  try {
    config = json::parse(in);
  } catch (const json::parse_error& e) {
    throw Error(fmt::format("{}: malformed JSON ({})", file.string(), e.what()), config_fix());
  }
  return model_config_from_json(config, file.string());
}

ModelConfig builtin_model(const std::string& name) {
  const std::optional<std::string_view> config = builtin_model_json(name);
  if (!config) {
    throw Error(fmt::format("unknown model '{}'", name),
                fmt::format("use a built-in model ({}) or the path to a Hugging Face config.json "
                            "(or to the model folder holding it)",
                            fmt::join(builtin_model_names(), ", ")));
  }
  ModelConfig c = model_config_from_json(json::parse(*config), "built-in model " + name);
  c.name = name;
  return c;
}

ModelConfig resolve_model(const std::string& name_or_path) {
  if (builtin_model_json(name_or_path)) return builtin_model(name_or_path);
  if (!name_or_path.empty() && std::filesystem::exists(name_or_path)) return load_model_config(name_or_path);
  return builtin_model(name_or_path);  // throws: unknown model, with the list of built-ins
}

void validate(const ModelConfig& c, const std::string& source) {
  const std::pair<const char*, std::int64_t> sizes[] = {
      {"hidden_size", c.hidden_size},       {"intermediate_size", c.intermediate_size},
      {"num_hidden_layers", c.num_layers},  {"num_attention_heads", c.num_heads},
      {"num_key_value_heads", c.num_kv_heads}, {"head_dim", c.head_dim},
      {"vocab_size", c.vocab_size},         {"max_position_embeddings", c.max_position_embeddings}};
  for (const auto& [field, value] : sizes) {
    if (value <= 0) field_error(source, field, fmt::format("must be positive (got {})", value));
  }
  if (c.num_heads % c.num_kv_heads != 0) {
    field_error(source, "num_key_value_heads",
                fmt::format("({}) must divide num_attention_heads ({})", c.num_kv_heads, c.num_heads));
  }
  if (c.head_dim % 2 != 0) field_error(source, "head_dim", fmt::format("must be even for RoPE (got {})", c.head_dim));
  if (!(c.rms_norm_eps > 0)) field_error(source, "rms_norm_eps", "must be positive");
  if (!(c.rope_theta > 0)) field_error(source, "rope_theta", "must be positive");
  if (c.rope_scaling.enabled()) {
    const RopeScaling& r = c.rope_scaling;
    if (!(r.factor > 0)) field_error(source, "rope_scaling.factor", "must be positive");
    if (!(r.low_freq_factor > 0) || !(r.high_freq_factor > r.low_freq_factor)) {
      field_error(source, "rope_scaling.high_freq_factor", "must be greater than low_freq_factor, both positive");
    }
    if (r.original_max_position_embeddings <= 0) {
      field_error(source, "rope_scaling.original_max_position_embeddings", "must be positive");
    }
  }
}

std::int64_t parameter_count(const ModelConfig& c) {
  const std::int64_t h = c.hidden_size;
  const std::int64_t attention = h * c.q_dim() + 2 * h * c.kv_dim() + c.q_dim() * h +
                                 (c.attention_bias ? c.q_dim() + 2 * c.kv_dim() : 0) +
                                 (c.attention_output_bias ? h : 0);
  const std::int64_t mlp = 3 * h * c.intermediate_size;
  const std::int64_t norms = 2 * h;
  const std::int64_t embedding = c.vocab_size * h;
  return embedding + c.num_layers * (attention + mlp + norms) + h + (c.tie_word_embeddings ? 0 : embedding);
}

std::int64_t weight_bytes(const ModelConfig& c, DType t) {
  return parameter_count(c) * static_cast<std::int64_t>(dtype_size(t));
}

}  // namespace sb::llm
