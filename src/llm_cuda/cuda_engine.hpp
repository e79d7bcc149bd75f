#pragma once
// The CUDA inference engine for Llama-architecture models: bf16 weights, activations and KV cache,
// fp32 accumulation. Plain C++ interface (no CUDA headers), implemented only in CUDA builds
// (cuda_engine_cuda.cpp); the `llm` workload and the GPU tests use it.
//
// One forward pass, top to bottom (each step one kernel or one GEMM, see kernels.hpp):
//   embed_tokens -> per layer [rms_norm -> qkv GEMM (q, k, v weights fused) -> rope_and_store_kv ->
//   attention (prefill: flash-style causal; decode: split-K over the cache) -> o GEMM + residual ->
//   rms_norm -> gate_up GEMM (fused) -> swiglu (in the GEMV's epilogue when decode uses the GEMV) ->
//   down GEMM + residual] -> rms_norm (last positions)
//   -> lm_head GEMM -> argmax.
// Prefill GEMMs use cuBLAS; decode GEMMs (rows = batch) use the GEMV kernel or cuBLAS, whichever
// CudaEngineOptions::decode_gemm names ("auto": measured per weight shape at construction). Decode
// steps are replayed from a CUDA graph when CudaEngineOptions::cuda_graphs is set.
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "llm/checkpoint.hpp"
#include "llm/memory_plan.hpp"
#include "llm/model_config.hpp"
#include "llm/weights.hpp"

namespace sb::llm {

// The element type of the engine's weights, activations and KV cache.
inline constexpr DType kCudaEngineDType = DType::BF16;

struct CudaEngineOptions {
  std::int64_t max_batch = 1;                 // sequences decoded together
  std::int64_t max_tokens_per_sequence = 0;   // KV-cache capacity: prompt + generated tokens
  std::int64_t prefill_chunk_tokens = 0;      // tokens per prefill pass; 0: all prompts at once
  std::string decode_gemm = "auto";           // "gemv", "cublas" or "auto"
  bool cuda_graphs = true;                    // replay decode steps from a captured graph
  int device = 0;
  std::int64_t weight_staging_bytes = 64 << 20;  // a checkpoint streams through two pinned buffers of this size
};

// How a checkpoint's weights reached the device, for the record.
struct WeightUpload {
  double seconds = 0;               // staging allocated -> last copy complete
  std::int64_t bytes = 0;           // bf16 bytes copied to the device
  std::int64_t chunks = 0;          // copies made (a tensor larger than a staging buffer takes several)
  std::int64_t staging_bytes = 0;   // pinned host memory the upload held: both staging buffers
  int threads = 0;                  // host threads converting each chunk
};

class CudaEngine {
 public:
  // Synthetic weights generated on the GPU: element for element bf16(synthetic_weights(config,
  // seed)) (see weights.hpp), without materialising fp32 copies on the host.
  CudaEngine(const ModelConfig& config, std::uint64_t seed, const CudaEngineOptions& options);
  // A checkpoint's weights (see open_checkpoint), streamed from the mapped files to the device in
  // bf16, chunk by chunk through options.weight_staging_bytes of pinned staging (two buffers, so that
  // converting one chunk overlaps copying the last): the host never holds more of the model.
  CudaEngine(const ModelConfig& config, const Checkpoint& checkpoint, const CudaEngineOptions& options);
  // fp32 weights from the host (a test's, the reference engine's), rounded to bf16 on upload.
  CudaEngine(const ModelConfig& config, const Weights& weights, const CudaEngineOptions& options);
  ~CudaEngine();
  CudaEngine(CudaEngine&&) noexcept;
  CudaEngine& operator=(CudaEngine&&) noexcept;

  const ModelConfig& config() const;
  const MemoryPlan& memory_plan() const;  // the plan checked (require_fits) before allocating
  std::int64_t device_bytes() const;      // what the engine allocated on the device
  const WeightUpload& weight_upload() const;  // zeros unless built from a checkpoint

  // Starts new sequences: prefills equal-length prompts (1 <= batch <= max_batch) from position 0
  // and returns every sequence's logits at its last prompt position, [batch][vocab], fp32.
  std::vector<std::vector<float>> prefill_logits(const std::vector<std::vector<std::int32_t>>& prompts);
  // One token per sequence at the next position; the logits of that position, [batch][vocab].
  std::vector<std::vector<float>> decode_logits(std::span<const std::int32_t> tokens);

  // The benchmark path, greedy: prefill, then `steps - 1` decode steps, each choosing the next
  // tokens with argmax on the GPU. As a server streaming tokens would, every step ends with its
  // token ids copied to the host; times are host wall-clock between those moments.
  struct Generation {
    std::vector<std::vector<std::int32_t>> tokens;  // [batch][steps]
    double prefill_ms = 0;                          // prompts in -> first tokens on the host (TTFT)
    std::vector<double> step_ms;                    // steps - 1 values: one decode step each
  };
  Generation generate_greedy(const std::vector<std::vector<std::int32_t>>& prompts, std::int64_t steps);

  // Which implementation the decode GEMMs use, per weight ("qkv": "gemv", ...), for the record.
  std::vector<std::pair<std::string, std::string>> decode_gemm_choices() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sb::llm
