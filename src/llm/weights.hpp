#pragma once
// The tensors of a Llama model, named and shaped as in Hugging Face safetensors checkpoints
// (projection weights are [out_features, in_features], row-major), held in fp32 for the reference
// engine. Synthetic weights stand in for real ones: the engine's speed does not depend on values.
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "llm/model_config.hpp"

namespace sb::llm {

using Shape = std::vector<std::int64_t>;
std::string to_string(const Shape& s);  // "[2048, 8192]"
std::int64_t element_count(const Shape& s);

struct Tensor {
  Shape shape;
  std::vector<float> data;  // row-major
};

struct TensorSpec {
  std::string name;
  Shape shape;
};

// Every tensor a model with this config has, in checkpoint order: model.embed_tokens.weight, then
// per layer input_layernorm, self_attn.{q,k,v,o}_proj (+ biases), post_attention_layernorm,
// mlp.{gate,up,down}_proj, then model.norm.weight and lm_head.weight (absent when tied).
std::vector<TensorSpec> expected_tensors(const ModelConfig& c);

// Tensor names of one layer, for the engines.
struct LayerNames {
  std::string input_norm, q, k, v, o, q_bias, k_bias, v_bias, o_bias, post_norm, gate, up, down;
};
LayerNames layer_names(std::int64_t layer);
inline constexpr const char* kEmbedding = "model.embed_tokens.weight";
inline constexpr const char* kFinalNorm = "model.norm.weight";
inline constexpr const char* kLmHead = "lm_head.weight";

class Weights {
 public:
  void insert(const std::string& name, Tensor t) { tensors_[name] = std::move(t); }
  bool contains(const std::string& name) const { return tensors_.count(name) != 0; }
  // Throws std::out_of_range naming the tensor (a bug: check_weights ran before any lookup).
  const Tensor& at(const std::string& name) const;
  Tensor& mutable_tensor(const std::string& name);  // for tests that change values after generating them
  const std::map<std::string, Tensor>& all() const { return tensors_; }

 private:
  std::map<std::string, Tensor> tensors_;
};

// Checks that `w` holds exactly the tensors of `c` with the expected shapes. Throws sb::Error
// naming `source` (the file) and the missing, unexpected or mis-shaped tensor.
void check_weights(const Weights& w, const ModelConfig& c, const std::string& source);

// For readers, before converting a tensor: whether the checkpoint tensor `name` read from `file`
// belongs to the model (false for tensors the engine derives itself, such as a stored RoPE
// inv_freq), and, when it does, that its shape matches. Throws sb::Error naming the file and the
// tensor (as `label` says, default: the quoted name) for an unexpected name or a wrong shape.
using ExpectedShapes = std::map<std::string, Shape>;
ExpectedShapes expected_shapes(const ModelConfig& c);
bool wanted_tensor(const ExpectedShapes& expected, const std::string& name, const Shape& shape, const std::string& file,
                   const std::string& label = "");
// Throws sb::Error naming `source` and the first tensor of `expected` that is not in `found`.
void require_present(const ExpectedShapes& expected, const std::set<std::string>& found, const ModelConfig& c,
                     const std::string& source);

// Seeded synthetic weights. Projections are uniform with standard deviation 1/sqrt(fan_in), so
// every matmul preserves the scale of its RMS-normalised input; norm weights are 1 +- 0.1; the
// embedding and lm_head have standard deviation 2/sqrt(hidden), so logits have a spread of about 2
// (a softmax neither flat nor one-hot). Each element is a pure function of (seed, tensor name,
// index), so a GPU kernel can generate the same values in parallel:
//   float(offset + double(scale) * synthetic_value(tensor_stream(seed, name), index))
// with scale computed in float (sqrt and division are correctly rounded, so the same everywhere).
Weights synthetic_weights(const ModelConfig& c, std::uint64_t seed);

// The generator behind synthetic_weights: a uniform value in [-1, 1) from a counter-based hash.
std::uint64_t tensor_stream(std::uint64_t seed, const std::string& tensor_name);
float synthetic_value(std::uint64_t stream, std::uint64_t index);

// The offset and scale of one tensor's synthetic values (the GPU generator needs them too).
struct SyntheticDistribution {
  float offset = 0;
  float scale = 0;
};
SyntheticDistribution synthetic_distribution(const ModelConfig& c, const TensorSpec& spec);

}  // namespace sb::llm
