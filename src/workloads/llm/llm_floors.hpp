#pragma once
// The least work a generation must do, so that a measured time can be read as a fraction of what
// this GPU could do at best. Decode is bound by the bytes it must read, prefill by the FLOPs it must
// compute; dividing by rates measured on the same GPU (llm_rates.hpp) turns them into floor times.
// Pure functions: no GPU needed.
#include <cstdint>

#include "llm/memory_plan.hpp"
#include "llm/model_config.hpp"

namespace sb::llm_workload {

// Bytes one decode step must read from device memory, all in bf16: every weight the step applies
// (all layers' projections and norms, their biases, the final norm and the lm_head; not the
// embedding table, of which only `batch` rows are read, unless it is tied and so IS the lm_head),
// plus the K and V cache entries attention reads: batch x layers x 2 x kv_dim x context x 2 B.
// `context` is the number of cached positions each sequence attends over (fractional for a mean).
double decode_step_bytes(const llm::ModelConfig& c, std::int64_t batch, double context);

// The mean context of the decode steps of a generation of `generate` tokens after a `prompt`: step
// i = 1 .. generate - 1 stores the token at position prompt + i - 1 and attends over prompt + i
// positions, so the mean is prompt + generate / 2. Decode bytes are linear in the context, so the
// bytes at this context are the mean bytes per step.
double mean_decode_context(std::int64_t prompt, std::int64_t generate);

// FLOPs the prefill of `batch` prompts of `prompt` tokens must do (a multiply-add counts 2):
//   linear layers  2 x (projection weights per layer x layers) x batch x prompt
//   attention      2 x 2 x layers x heads x head_dim x prompt (prompt + 1) / 2 per sequence
//                  (Q K^T and P V over the causal triangle)
//   lm_head        2 x hidden x vocab per sequence: the logits of the last position only.
double prefill_flops(const llm::ModelConfig& c, std::int64_t batch, std::int64_t prompt);

// Rates measured on the GPU that runs the case (llm_rates.hpp).
struct DeviceRates {
  double copy_bytes_per_s = 0;       // device-to-device copy, bytes read + written per second
  double bf16_gemm_flops_per_s = 0;  // cuBLAS bf16 GEMM, fp32 compute
};

struct FloorTimes {
  double decode_step_ms = 0;  // decode_step_bytes at the mean context / copy bandwidth
  double prefill_ms = 0;      // prefill_flops / GEMM rate
};
FloorTimes floor_times(const llm::ModelConfig& c, const llm::InferenceRequest& r, const DeviceRates& rates);

}  // namespace sb::llm_workload
