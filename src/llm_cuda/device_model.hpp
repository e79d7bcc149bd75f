#pragma once
// The model's weights on the device, bf16, in the engine's layout: q/k/v fused into one [q; k; v]
// projection (and their biases into one vector), gate and up into one [gate; up] projection, and
// lm_head pointing at the embedding when the two are tied.
#include <cstdint>
#include <string>
#include <vector>

#include <cuda_bf16.h>
#include <cuda_runtime_api.h>

#include "llm/checkpoint.hpp"
#include "llm/model_config.hpp"
#include "llm/weights.hpp"
#include "llm_cuda/cuda_engine.hpp"
#include "llm_cuda/device_allocations.hpp"

namespace sb::llm {

struct DeviceLayer {
  __nv_bfloat16* input_norm = nullptr;
  __nv_bfloat16* qkv = nullptr;       // [q_dim + 2 kv_dim, hidden]
  __nv_bfloat16* qkv_bias = nullptr;  // [q_dim + 2 kv_dim], or null
  __nv_bfloat16* o = nullptr;         // [hidden, q_dim]
  __nv_bfloat16* o_bias = nullptr;    // [hidden], or null
  __nv_bfloat16* post_norm = nullptr;
  __nv_bfloat16* gate_up = nullptr;   // [2 intermediate, hidden]
  __nv_bfloat16* down = nullptr;      // [hidden, intermediate]
};

struct DeviceModel {
  __nv_bfloat16* embedding = nullptr;
  std::vector<DeviceLayer> layers;
  __nv_bfloat16* final_norm = nullptr;
  __nv_bfloat16* lm_head = nullptr;  // == embedding when tied
};

// Allocates every weight of `c` (nothing is filled yet).
DeviceModel allocate_model(const ModelConfig& c, DeviceAllocations& memory);

// Fills the weights with bf16(synthetic_weights(c, seed)), generated on the device.
void generate_synthetic_weights(const ModelConfig& c, std::uint64_t seed, const DeviceModel& model, cudaStream_t stream);

// Copies checked host weights (check_weights) to the device, rounded to bf16 (nearest, ties to even).
void upload_weights(const ModelConfig& c, const Weights& weights, const DeviceModel& model, cudaStream_t stream);

// Streams a checked checkpoint (check_complete) to the device in bf16 (see WeightStream) through
// two pinned staging buffers of `staging_bytes`: while the device copies one, the host converts the
// next chunk into the other. Returns when every copy has completed.
WeightUpload upload_checkpoint(const ModelConfig& c, const Checkpoint& checkpoint, const DeviceModel& model,
                               std::int64_t staging_bytes, cudaStream_t stream);

}  // namespace sb::llm
