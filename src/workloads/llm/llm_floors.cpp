#include "workloads/llm/llm_floors.hpp"

namespace sb::llm_workload {
namespace {

constexpr double kBf16Bytes = 2;

// The projection weight matrices of one layer (q, k, v, o, gate, up, down), biases excluded.
double projection_weights_per_layer(const llm::ModelConfig& c) {
  const auto h = static_cast<double>(c.hidden_size);
  return h * static_cast<double>(c.q_dim()) * 2 + h * static_cast<double>(c.kv_dim()) * 2 +
         3 * h * static_cast<double>(c.intermediate_size);
}

}  // namespace

double decode_step_bytes(const llm::ModelConfig& c, std::int64_t batch, double context) {
  // parameter_count holds the embedding once and the lm_head unless tied; a tied table is the
  // lm_head, read whole, so only an untied embedding table comes off.
  const double embedding = static_cast<double>(c.vocab_size) * static_cast<double>(c.hidden_size);
  const double weights = static_cast<double>(llm::parameter_count(c)) - (c.tie_word_embeddings ? 0 : embedding);
  const double kv = static_cast<double>(batch) * static_cast<double>(c.num_layers) * 2 *
                    static_cast<double>(c.kv_dim()) * context * kBf16Bytes;
  return weights * kBf16Bytes + kv;
}

double mean_decode_context(std::int64_t prompt, std::int64_t generate) {
  return static_cast<double>(prompt) + static_cast<double>(generate) / 2;
}

double prefill_flops(const llm::ModelConfig& c, std::int64_t batch, std::int64_t prompt) {
  const auto b = static_cast<double>(batch);
  const auto s = static_cast<double>(prompt);
  const auto layers = static_cast<double>(c.num_layers);
  const double linear = 2 * projection_weights_per_layer(c) * layers * b * s;
  const double attention = 2 * 2 * layers * static_cast<double>(c.q_dim()) * s * (s + 1) / 2 * b;
  const double lm_head = 2 * static_cast<double>(c.hidden_size) * static_cast<double>(c.vocab_size) * b;
  return linear + attention + lm_head;
}

FloorTimes floor_times(const llm::ModelConfig& c, const llm::InferenceRequest& r, const DeviceRates& rates) {
  const double bytes = decode_step_bytes(c, r.batch, mean_decode_context(r.prompt_tokens, r.generated_tokens));
  return {.decode_step_ms = 1e3 * bytes / rates.copy_bytes_per_s,
          .prefill_ms = 1e3 * prefill_flops(c, r.batch, r.prompt_tokens) / rates.bf16_gemm_flops_per_s};
}

}  // namespace sb::llm_workload
