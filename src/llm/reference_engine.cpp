#include "llm/reference_engine.hpp"

#include <cmath>

#include <fmt/format.h>

#include "core/error.hpp"
#include "llm/reference_ops.hpp"
#include "llm/rope.hpp"

namespace sb::llm {

namespace {

// Row r of a [rows, width] row-major matrix.
std::span<float> row(std::vector<float>& m, std::int64_t r, std::int64_t width) {
  return {m.data() + r * width, static_cast<std::size_t>(width)};
}

const Tensor* optional_tensor(const Weights& w, const std::string& name, bool present) {
  return present ? &w.at(name) : nullptr;
}

}  // namespace

ReferenceEngine::ReferenceEngine(ModelConfig config, Weights weights)
    : config_(std::move(config)), weights_(std::move(weights)), inv_freq_(rope_inverse_frequencies(config_)) {
  check_weights(weights_, config_, "weights of " + config_.name);
  for (std::int64_t l = 0; l < config_.num_layers; ++l) layers_.push_back(layer_names(l));
}

std::vector<float> ReferenceEngine::prefill(KvCache& cache, std::span<const std::int32_t> tokens) const {
  const ModelConfig& c = config_;
  const std::int64_t count = static_cast<std::int64_t>(tokens.size());
  const std::int64_t first_position = cache.length();
  if (count == 0) throw Error("prefill of an empty prompt", "pass at least one token");
  if (first_position + count > cache.capacity()) {
    throw Error(fmt::format("the KV cache holds {} positions; {} more tokens after {} would overflow it",
                            cache.capacity(), count, first_position),
                "create the cache with room for the prompt and every generated token");
  }

  // Embedding: one row of model.embed_tokens.weight per token.
  const Tensor& embedding = weights_.at(kEmbedding);
  std::vector<float> x(static_cast<std::size_t>(count * c.hidden_size));
  for (std::int64_t t = 0; t < count; ++t) {
    const std::int32_t token = tokens[t];
    if (token < 0 || token >= c.vocab_size) {
      throw Error(fmt::format("token {} is outside the vocabulary [0, {})", token, c.vocab_size),
                  "pass token ids of this model's tokenizer");
    }
    std::copy_n(embedding.data.begin() + token * c.hidden_size, c.hidden_size, row(x, t, c.hidden_size).begin());
  }

  for (std::int64_t layer = 0; layer < c.num_layers; ++layer) {
    attention_block(layer, cache, first_position, count, x);
    mlp_block(layer, count, x);
  }
  cache.advance(count);

  // Final norm and lm_head, for the last token only.
  std::vector<float> last(row(x, count - 1, c.hidden_size).begin(), row(x, count - 1, c.hidden_size).end());
  rms_norm(last, weights_.at(kFinalNorm).data, c.rms_norm_eps, last);
  std::vector<float> logits(static_cast<std::size_t>(c.vocab_size));
  linear(last.data(), 1, weights_.at(c.tie_word_embeddings ? kEmbedding : kLmHead), nullptr, logits.data());
  return logits;
}

// x += o_proj(attention(RoPE(q), RoPE(k), v)) over the cached positions and the new ones.
void ReferenceEngine::attention_block(std::int64_t layer, KvCache& cache, std::int64_t first_position,
                                      std::int64_t count, std::vector<float>& x) const {
  const ModelConfig& c = config_;
  const LayerNames& n = layers_[layer];
  const std::int64_t h = c.hidden_size;
  const std::int64_t hd = c.head_dim;
  const std::int64_t group = c.num_heads / c.num_kv_heads;  // query heads sharing one KV head

  std::vector<float> normed(x.size());
  for (std::int64_t t = 0; t < count; ++t) rms_norm(row(x, t, h), weights_.at(n.input_norm).data, c.rms_norm_eps, row(normed, t, h));

  std::vector<float> q(static_cast<std::size_t>(count * c.q_dim()));
  std::vector<float> k(static_cast<std::size_t>(count * c.kv_dim()));
  std::vector<float> v(static_cast<std::size_t>(count * c.kv_dim()));
  linear(normed.data(), count, weights_.at(n.q), optional_tensor(weights_, n.q_bias, c.attention_bias), q.data());
  linear(normed.data(), count, weights_.at(n.k), optional_tensor(weights_, n.k_bias, c.attention_bias), k.data());
  linear(normed.data(), count, weights_.at(n.v), optional_tensor(weights_, n.v_bias, c.attention_bias), v.data());

  for (std::int64_t t = 0; t < count; ++t) {
    const std::int64_t position = first_position + t;
    for (std::int64_t head = 0; head < c.num_heads; ++head) apply_rope(&q[t * c.q_dim() + head * hd], hd, position, inv_freq_);
    for (std::int64_t head = 0; head < c.num_kv_heads; ++head) apply_rope(&k[t * c.kv_dim() + head * hd], hd, position, inv_freq_);
    std::copy_n(&k[t * c.kv_dim()], c.kv_dim(), cache.key(layer, position));
    std::copy_n(&v[t * c.kv_dim()], c.kv_dim(), cache.value(layer, position));
  }

  // Causal attention: the token at `position` sees positions 0..position.
  std::vector<float> attended(static_cast<std::size_t>(count * c.q_dim()));
  const double scale = 1.0 / std::sqrt(static_cast<double>(hd));
  for (std::int64_t t = 0; t < count; ++t) {
    const std::int64_t position = first_position + t;
    std::vector<float> scores(static_cast<std::size_t>(position + 1));
    for (std::int64_t head = 0; head < c.num_heads; ++head) {
      const std::int64_t kv_head = head / group;
      const float* query = &q[t * c.q_dim() + head * hd];
      for (std::int64_t s = 0; s <= position; ++s) {
        scores[s] = static_cast<float>(dot(query, cache.key(layer, s) + kv_head * hd, hd) * scale);
      }
      softmax(scores);
      float* out = &attended[t * c.q_dim() + head * hd];
      for (std::int64_t i = 0; i < hd; ++i) {
        double sum = 0;
        for (std::int64_t s = 0; s <= position; ++s) sum += static_cast<double>(scores[s]) * cache.value(layer, s)[kv_head * hd + i];
        out[i] = static_cast<float>(sum);
      }
    }
  }

  std::vector<float> projected(x.size());
  linear(attended.data(), count, weights_.at(n.o), optional_tensor(weights_, n.o_bias, c.attention_output_bias),
         projected.data());
  for (std::size_t i = 0; i < x.size(); ++i) x[i] += projected[i];
}

// x += down_proj(silu(gate_proj(norm(x))) * up_proj(norm(x))): SwiGLU.
void ReferenceEngine::mlp_block(std::int64_t layer, std::int64_t count, std::vector<float>& x) const {
  const ModelConfig& c = config_;
  const LayerNames& n = layers_[layer];
  const std::int64_t h = c.hidden_size;

  std::vector<float> normed(x.size());
  for (std::int64_t t = 0; t < count; ++t) rms_norm(row(x, t, h), weights_.at(n.post_norm).data, c.rms_norm_eps, row(normed, t, h));

  std::vector<float> gate(static_cast<std::size_t>(count * c.intermediate_size));
  std::vector<float> up(gate.size());
  linear(normed.data(), count, weights_.at(n.gate), nullptr, gate.data());
  linear(normed.data(), count, weights_.at(n.up), nullptr, up.data());
  for (std::size_t i = 0; i < gate.size(); ++i) gate[i] = silu(gate[i]) * up[i];

  std::vector<float> down(x.size());
  linear(gate.data(), count, weights_.at(n.down), nullptr, down.data());
  for (std::size_t i = 0; i < x.size(); ++i) x[i] += down[i];
}

std::vector<float> ReferenceEngine::decode_step(KvCache& cache, std::int32_t token) const {
  return prefill(cache, std::span<const std::int32_t>(&token, 1));
}

std::vector<std::vector<std::int32_t>> ReferenceEngine::generate_greedy(
    const std::vector<std::vector<std::int32_t>>& prompts, std::int64_t steps) const {
  std::vector<std::vector<std::int32_t>> generated;
  for (const std::vector<std::int32_t>& prompt : prompts) {
    KvCache cache = new_cache(static_cast<std::int64_t>(prompt.size()) + steps);
    std::vector<std::int32_t> tokens;
    std::vector<float> logits = prefill(cache, prompt);
    for (std::int64_t step = 0; step < steps; ++step) {
      tokens.push_back(argmax(logits));
      if (step + 1 < steps) logits = decode_step(cache, tokens.back());
    }
    generated.push_back(std::move(tokens));
  }
  return generated;
}

}  // namespace sb::llm
