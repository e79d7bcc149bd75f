#include "llm/weights.hpp"

#include <cmath>
#include <set>
#include <stdexcept>
#include <string_view>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/error.hpp"
#include "llm/synthetic_generator.hpp"

namespace sb::llm {

std::string to_string(const Shape& s) { return fmt::format("[{}]", fmt::join(s, ", ")); }

std::int64_t element_count(const Shape& s) {
  std::int64_t n = 1;
  for (std::int64_t d : s) n *= d;
  return n;
}

LayerNames layer_names(std::int64_t layer) {
  const std::string p = fmt::format("model.layers.{}.", layer);
  return {.input_norm = p + "input_layernorm.weight",
          .q = p + "self_attn.q_proj.weight",
          .k = p + "self_attn.k_proj.weight",
          .v = p + "self_attn.v_proj.weight",
          .o = p + "self_attn.o_proj.weight",
          .q_bias = p + "self_attn.q_proj.bias",
          .k_bias = p + "self_attn.k_proj.bias",
          .v_bias = p + "self_attn.v_proj.bias",
          .o_bias = p + "self_attn.o_proj.bias",
          .post_norm = p + "post_attention_layernorm.weight",
          .gate = p + "mlp.gate_proj.weight",
          .up = p + "mlp.up_proj.weight",
          .down = p + "mlp.down_proj.weight"};
}

std::vector<TensorSpec> expected_tensors(const ModelConfig& c) {
  const std::int64_t h = c.hidden_size;
  std::vector<TensorSpec> specs = {{kEmbedding, {c.vocab_size, h}}};
  for (std::int64_t layer = 0; layer < c.num_layers; ++layer) {
    const LayerNames n = layer_names(layer);
    specs.push_back({n.input_norm, {h}});
    specs.push_back({n.q, {c.q_dim(), h}});
    specs.push_back({n.k, {c.kv_dim(), h}});
    specs.push_back({n.v, {c.kv_dim(), h}});
    specs.push_back({n.o, {h, c.q_dim()}});
    if (c.attention_bias) {
      specs.push_back({n.q_bias, {c.q_dim()}});
      specs.push_back({n.k_bias, {c.kv_dim()}});
      specs.push_back({n.v_bias, {c.kv_dim()}});
    }
    if (c.attention_output_bias) specs.push_back({n.o_bias, {h}});
    specs.push_back({n.post_norm, {h}});
    specs.push_back({n.gate, {c.intermediate_size, h}});
    specs.push_back({n.up, {c.intermediate_size, h}});
    specs.push_back({n.down, {h, c.intermediate_size}});
  }
  specs.push_back({kFinalNorm, {h}});
  if (!c.tie_word_embeddings) specs.push_back({kLmHead, {c.vocab_size, h}});
  return specs;
}

const Tensor& Weights::at(const std::string& name) const {
  const auto it = tensors_.find(name);
  if (it == tensors_.end()) throw std::out_of_range("Weights::at: no tensor " + name);
  return it->second;
}

Tensor& Weights::mutable_tensor(const std::string& name) {
  const auto it = tensors_.find(name);
  if (it == tensors_.end()) throw std::out_of_range("Weights::mutable_tensor: no tensor " + name);
  return it->second;
}

ExpectedShapes expected_shapes(const ModelConfig& c) {
  ExpectedShapes shapes;
  for (TensorSpec& s : expected_tensors(c)) shapes.emplace(std::move(s.name), std::move(s.shape));
  return shapes;
}

namespace {

std::string mismatch_fix(const ModelConfig& c) {
  return fmt::format("the weights do not belong to the model config '{}': pass the config.json that came with them",
                     c.name);
}

// Tensors some checkpoints carry that the engine computes from the config instead.
bool derived_tensor(std::string_view name) {
  return name.ends_with("rotary_emb.inv_freq") || name == "rope_freqs.weight";
}

}  // namespace

bool wanted_tensor(const ExpectedShapes& expected, const std::string& name, const Shape& shape, const std::string& file,
                   const std::string& label) {
  if (derived_tensor(name)) return false;
  const std::string tensor = label.empty() ? fmt::format("'{}'", name) : label;
  const auto it = expected.find(name);
  if (it == expected.end()) {
    throw Error(fmt::format("{}: tensor {} is not part of this model", file, tensor),
                "the checkpoint and the model config disagree (layer count, biases, tied embeddings?): "
                "pass the config.json that came with the weights");
  }
  if (it->second != shape) {
    throw Error(fmt::format("{}: tensor {} has shape {} but the model config expects {}", file, tensor,
                            to_string(shape), to_string(it->second)),
                "the checkpoint and the model config disagree: pass the config.json that came with the weights");
  }
  return true;
}

void check_weights(const Weights& w, const ModelConfig& c, const std::string& source) {
  const ExpectedShapes expected = expected_shapes(c);
  for (const auto& [name, tensor] : w.all()) {
    wanted_tensor(expected, name, tensor.shape, source);
    if (tensor.data.size() != static_cast<std::size_t>(element_count(tensor.shape))) {
      throw Error(fmt::format("{}: tensor '{}' holds {} values for shape {}", source, name, tensor.data.size(),
                              to_string(tensor.shape)),
                  mismatch_fix(c));
    }
  }
  std::set<std::string> found;
  for (const auto& [name, tensor] : w.all()) found.insert(name);
  require_present(expected, found, c, source);
}

void require_present(const ExpectedShapes& expected, const std::set<std::string>& found, const ModelConfig& c,
                     const std::string& source) {
  for (const auto& [name, shape] : expected) {
    if (!found.count(name)) {
      throw Error(fmt::format("{}: tensor '{}' is missing (expected shape {})", source, name, to_string(shape)),
                  mismatch_fix(c));
    }
  }
}

std::uint64_t tensor_stream(std::uint64_t seed, const std::string& tensor_name) {
  std::uint64_t h = 0xcbf29ce484222325ULL;  // FNV-1a over the name
  for (unsigned char ch : tensor_name) h = (h ^ ch) * 0x100000001b3ULL;
  return synthetic::mix64(seed ^ synthetic::mix64(h));
}

float synthetic_value(std::uint64_t stream, std::uint64_t index) { return synthetic::uniform(stream, index); }

SyntheticDistribution synthetic_distribution(const ModelConfig& c, const TensorSpec& spec) {
  const float sqrt3 = std::sqrt(3.0f);  // uniform on [-a, a) has standard deviation a / sqrt(3)
  if (spec.name.ends_with("norm.weight")) return {.offset = 1.0f, .scale = 0.1f};
  if (spec.name.ends_with(".bias")) return {.offset = 0, .scale = 0.02f * sqrt3};
  if (spec.name == kEmbedding || spec.name == kLmHead) {
    return {.offset = 0, .scale = 2.0f * sqrt3 / std::sqrt(static_cast<float>(c.hidden_size))};
  }
  return {.offset = 0, .scale = sqrt3 / std::sqrt(static_cast<float>(spec.shape[1]))};  // fan_in: [out, in]
}

Weights synthetic_weights(const ModelConfig& c, std::uint64_t seed) {
  Weights w;
  for (const TensorSpec& spec : expected_tensors(c)) {
    Tensor t{spec.shape, std::vector<float>(static_cast<std::size_t>(element_count(spec.shape)))};
    const std::uint64_t stream = tensor_stream(seed, spec.name);
    const SyntheticDistribution d = synthetic_distribution(c, spec);
    for (std::size_t i = 0; i < t.data.size(); ++i) t.data[i] = synthetic::weight(d.offset, d.scale, stream, i);
    w.insert(spec.name, std::move(t));
  }
  return w;
}

}  // namespace sb::llm
