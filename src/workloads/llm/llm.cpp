// The `llm` workload: greedy generation with sparkbench's CUDA engine (llm_cuda/cuda_engine.hpp) on
// real model shapes, synthetic bf16 weights by default. The registration is in every build; the case
// (llm_case_cuda.cpp) only in CUDA builds.
#include <filesystem>

#include <fmt/format.h>

#include "core/cuda_status.hpp"
#include "core/error.hpp"
#include "workload/workload.hpp"
#include "workloads/llm/llm_case.hpp"
#include "workloads/llm/llm_metrics.hpp"

namespace sb::llm_workload {
namespace {

CaseSettings read_settings(const Params& p) {
  CaseSettings s{.model = llm::resolve_model(p.str("model")),
                 .request = {p.integer("batch"), p.integer("prompt"), p.integer("generate")},
                 .weights = p.str("weights"),
                 .decode_gemm = p.str("decode_gemm"),
                 .cuda_graphs = p.integer("cuda_graphs") == 1};
  if (s.request.generated_tokens < 2)
    throw Error(fmt::format("llm: generate = {} is too few", s.request.generated_tokens),
                "generate at least 2 tokens: TPOT and the inter-token latencies need one decode step");
  // Checks batch and prompt (>= 1) and the sequence length against the model's context window.
  (void)llm::plan_memory(s.model, llm::DType::BF16, s.request);
  if (s.weights != kSyntheticWeights && !std::filesystem::exists(s.weights))
    throw Error(fmt::format("llm: weights '{}' does not exist", s.weights),
                "give `synthetic`, or the path to a .safetensors file, a model.safetensors.index.json, a .gguf "
                "file, or a model folder holding one");
  return s;
}

std::unique_ptr<CaseRun> make_llm(const Params& params, const CaseContext& context) {
  const CaseSettings settings = read_settings(params);
#if SPARKBENCH_HAVE_CUDA
  return make_gpu_case(settings, context);
#else
  (void)settings;
  (void)context;
  cuda::throw_built_without_cuda("llm");
#endif
}

}  // namespace

SB_REGISTER_WORKLOAD(
    llm,
    Workload{
        .name = "llm",
        .help =
            "Greedy text generation with sparkbench's CUDA engine (bf16 weights, activations and KV cache, fp32 "
            "accumulation, cuBLAS prefill, GEMV or cuBLAS decode, decode steps replayed from a CUDA graph), the "
            "seed's LLM grid. One repetition = one generation of the whole batch: prefill of `prompt` random tokens "
            "per sequence, then `generate` - 1 decode steps, each ending with the token ids on the host as a "
            "streaming server's would. Synthetic weights by default (speed does not depend on their values), or a "
            "checkpoint. Beside the speed, two efficiencies against floors measured on the same GPU: decode "
            "against reading the bytes a step must read at the device copy bandwidth, prefill against doing its "
            "FLOPs at the cuBLAS bf16 GEMM rate. NVML's energy counter, where the GPU has one, gives joules per "
            "output token (an optional metric: absent where the GPU has no such counter).",
        .device = Device::Gpu,
        .layer = "gpu-llm",
        .params = {{.name = "model", .defaults = {"llama-3.1-8b"}, .choices = {},
                    .help = "built-in model (tiny, llama-3.2-1b, llama-3.2-3b, llama-3.1-8b) or a config.json path"},
                   // The engine holds the batch and token counts in ints.
                   {.name = "batch", .type = ParamSpec::Type::Int, .defaults = {"1"}, .choices = {},
                    .help = "sequences generated together (one decode step advances all of them)", .min = 1,
                    .max = kMaxIntParam},
                   {.name = "prompt", .type = ParamSpec::Type::Int, .defaults = {"512"}, .choices = {},
                    .help = "prompt tokens per sequence (seeded random token ids)", .min = 1, .max = kMaxIntParam},
                   {.name = "generate", .type = ParamSpec::Type::Int, .defaults = {"128"}, .choices = {},
                    .help = "generated tokens per sequence, the first (from prefill) included; at least 2", .min = 2,
                    .max = kMaxIntParam},
                   {.name = "weights", .defaults = {kSyntheticWeights}, .choices = {},
                    .help = "synthetic (seeded, generated on the GPU), or a .safetensors file, a "
                            "model.safetensors.index.json, a .gguf file or a model folder matching `model`"},
                   {.name = "decode_gemm", .defaults = {"auto"}, .choices = {"auto", "gemv", "cublas"},
                    .help = "decode projections: the engine's GEMV kernel, cuBLAS, or auto (measured per weight "
                            "shape when the engine is built; the choices are in the record's info)"},
                   {.name = "cuda_graphs", .type = ParamSpec::Type::Int, .defaults = {"1"}, .choices = {"1", "0"},
                    .help = "1: replay each decode step from a captured CUDA graph; 0: launch its kernels one by one"}},
        .metrics = metric_specs(),
        .make = make_llm});

}  // namespace sb::llm_workload
