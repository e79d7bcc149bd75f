#pragma once
// The `llm` workload's metrics: their declarations (what each one means, for `sparkbench list` and
// the report) and how one generation's timings become their values. Pure: no GPU needed.
#include <cstdint>
#include <span>
#include <vector>

#include "llm/memory_plan.hpp"
#include "workload/workload.hpp"
#include "workloads/llm/llm_floors.hpp"

namespace sb::llm_workload {

// The metrics in declaration order; the first (output_tokens_per_s) is the primary one.
std::vector<MetricSpec> metric_specs();

// What one repetition observed: the engine's host times (llm_cuda/cuda_engine.hpp) and the device
// memory the case held after the generation.
struct GenerationReadings {
  double prefill_ms = 0;                // prompts in -> first tokens on the host (TTFT)
  std::span<const double> step_ms;      // one value per decode step: generate - 1 of them
  double device_memory_bytes = 0;
};

// Every metric of metric_specs() for one generation of r.batch sequences. Throws
// std::invalid_argument when the readings do not match r (a step count other than generate - 1,
// a non-positive time).
Measurement generation_metrics(const llm::InferenceRequest& r, const FloorTimes& floors, const GenerationReadings& g);

}  // namespace sb::llm_workload
