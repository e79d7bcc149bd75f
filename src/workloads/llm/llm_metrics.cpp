#include "workloads/llm/llm_metrics.hpp"

#include <algorithm>
#include <numeric>
#include <stdexcept>

#include <fmt/format.h>

#include "stats/stats.hpp"

namespace sb::llm_workload {

std::vector<MetricSpec> metric_specs() {
  return {
      {.name = "output_tokens_per_s", .unit = "tokens/s", .better = Better::Higher,
       .help = "batch x generate / e2e_ms: generated tokens per second of the whole generation, first tokens included"},
      {.name = "ttft_ms", .unit = "ms", .better = Better::Lower,
       .help = "time to first token: prompts handed to the engine -> every sequence's first token id copied to the "
               "host (prefill of the whole batch, lm_head, argmax, the copy)"},
      {.name = "tpot_ms", .unit = "ms", .better = Better::Lower,
       .help = "time per output token after the first: (e2e_ms - ttft_ms) / (generate - 1), the mean decode step "
               "(all sequences of the batch advance together, so this is every sequence's TPOT)"},
      {.name = "itl_p50_ms", .unit = "ms", .better = Better::Lower,
       .help = "median inter-token latency: one decode step gives every sequence its next token, so a step's host "
               "time (token ids on the host -> next token ids on the host) is the inter-token latency; median over "
               "the generate - 1 steps of the repetition (R type-7 quantile)"},
      {.name = "itl_p99_ms", .unit = "ms", .better = Better::Lower,
       .help = "99th percentile of the same generate - 1 step times (R type-7 quantile, numpy's default: with fewer "
               "than 100 steps it lies between the two slowest steps)"},
      {.name = "prefill_tokens_per_s", .unit = "tokens/s", .better = Better::Higher,
       .help = "batch x prompt / ttft_ms"},
      {.name = "total_tokens_per_s", .unit = "tokens/s", .better = Better::Higher,
       .help = "batch x (prompt + generate) / e2e_ms"},
      {.name = "e2e_ms", .unit = "ms", .better = Better::Lower,
       .help = "end-to-end time of one generation: ttft_ms + the sum of the decode steps"},
      {.name = "peak_gpu_memory_gib", .unit = "GiB", .better = Better::Lower,
       .help = "device memory in use after the generation minus before the case allocated anything (cudaMemGetInfo, "
               "whole device): weights, KV cache, activations, cuBLAS workspaces, graphs. The engine allocates all "
               "of it before generating and frees nothing during a generation, so this is the case's peak"},
      {.name = "decode_bandwidth_efficiency", .unit = "fraction", .better = Better::Higher,
       .help = "decode floor / median decode step; floor = bytes a step must read at the run's mean context "
               "(weights applied + KV cache, bf16) / this GPU's measured device copy bandwidth. 1 = as fast as "
               "reading the bytes once can be"},
      {.name = "prefill_gemm_efficiency", .unit = "fraction", .better = Better::Higher,
       .help = "prefill floor / ttft_ms; floor = FLOPs prefill must do (projections, causal attention, lm_head of "
               "the last position) / this GPU's measured cuBLAS bf16 GEMM rate (8192^3)"},
      {.name = "energy_per_output_token_j", .unit = "J/token", .better = Better::Lower,
       .help = "GPU energy over the whole generation (NVML's total-energy counter, read before and after) / "
               "output tokens (batch x generate); prefill energy included. Recorded only where the GPU has the "
               "counter (Volta and newer; not a MIG instance)",
       .optional = true},
  };
}

Measurement generation_metrics(const llm::InferenceRequest& r, const FloorTimes& floors, const GenerationReadings& g) {
  const auto steps = static_cast<std::int64_t>(g.step_ms.size());
  if (r.generated_tokens < 2 || steps != r.generated_tokens - 1)
    throw std::invalid_argument(fmt::format("generation_metrics: {} decode step times for {} generated tokens "
                                            "(need generate - 1, and generate >= 2)",
                                            steps, r.generated_tokens));
  const bool positive = g.prefill_ms > 0 && std::all_of(g.step_ms.begin(), g.step_ms.end(), [](double t) { return t > 0; });
  if (!positive) throw std::invalid_argument("generation_metrics: every time must be positive");

  const double decode_ms = std::accumulate(g.step_ms.begin(), g.step_ms.end(), 0.0);
  const double e2e_ms = g.prefill_ms + decode_ms;
  const auto batch = static_cast<double>(r.batch);
  const auto prompt = static_cast<double>(r.prompt_tokens);
  const auto generate = static_cast<double>(r.generated_tokens);
  const double median_step_ms = stats::median(g.step_ms);
  return {{"output_tokens_per_s", batch * generate / (e2e_ms * 1e-3)},
          {"ttft_ms", g.prefill_ms},
          {"tpot_ms", decode_ms / (generate - 1)},
          {"itl_p50_ms", median_step_ms},
          {"itl_p99_ms", stats::quantile(g.step_ms, 0.99)},
          {"prefill_tokens_per_s", batch * prompt / (g.prefill_ms * 1e-3)},
          {"total_tokens_per_s", batch * (prompt + generate) / (e2e_ms * 1e-3)},
          {"e2e_ms", e2e_ms},
          {"peak_gpu_memory_gib", g.device_memory_bytes / static_cast<double>(1LL << 30)},
          {"decode_bandwidth_efficiency", floors.decode_step_ms / median_step_ms},
          {"prefill_gemm_efficiency", floors.prefill_ms / g.prefill_ms}};
}

}  // namespace sb::llm_workload
