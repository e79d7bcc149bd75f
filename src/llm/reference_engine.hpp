#pragma once
// The fp32 CPU reference implementation of a Llama-architecture model, written to be read top to
// bottom (reference_engine.cpp): embedding -> per layer [RMSNorm -> Q/K/V (+bias) -> RoPE ->
// grouped-query causal attention over the KV cache -> o_proj -> residual -> RMSNorm -> SwiGLU MLP
// -> residual] -> final RMSNorm -> lm_head (or the tied embedding) -> logits.
// It is the correctness oracle for the CUDA engine, so it exposes logits.
#include <cstdint>
#include <span>
#include <vector>

#include "llm/kv_cache.hpp"
#include "llm/model_config.hpp"
#include "llm/weights.hpp"

namespace sb::llm {

class ReferenceEngine {
 public:
  // Checks the weights against the config (sb::Error naming the missing or mis-shaped tensor).
  ReferenceEngine(ModelConfig config, Weights weights);

  const ModelConfig& config() const { return config_; }
  KvCache new_cache(std::int64_t capacity) const { return KvCache(config_, capacity); }

  // Runs `tokens` at the next positions of `cache` (all of them in one pass, causally masked),
  // appends their keys and values, and returns the logits of the last token (vocab_size values).
  // Throws sb::Error when a token is outside the vocabulary or the cache would overflow.
  std::vector<float> prefill(KvCache& cache, std::span<const std::int32_t> tokens) const;
  // One token at the next position: prefill of a single token.
  std::vector<float> decode_step(KvCache& cache, std::int32_t token) const;

  // Greedy decoding of a batch (each sequence on its own cache): `steps` new tokens per prompt.
  std::vector<std::vector<std::int32_t>> generate_greedy(const std::vector<std::vector<std::int32_t>>& prompts,
                                                         std::int64_t steps) const;

 private:
  void attention_block(std::int64_t layer, KvCache& cache, std::int64_t first_position, std::int64_t count,
                       std::vector<float>& x) const;
  void mlp_block(std::int64_t layer, std::int64_t count, std::vector<float>& x) const;

  ModelConfig config_;
  Weights weights_;
  std::vector<double> inv_freq_;
  std::vector<LayerNames> layers_;
};

}  // namespace sb::llm
