// llm_cpu: the fp32 reference engine generating text on the CPU, with synthetic weights. A CPU-only
// counterpart of the `llm` GPU workload, so that the LLM path (model shapes, KV cache, greedy
// decoding) is measured native vs container on machines without a GPU. `layers` keeps a large
// model's shapes (hidden size, heads, vocabulary) at a CPU-friendly depth.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <random>

#include <fmt/format.h>

#include "core/error.hpp"
#include "llm/memory_plan.hpp"
#include "llm/reference_engine.hpp"
#include "llm/reference_ops.hpp"
#include "workload/workload.hpp"

namespace sb {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_between(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double>(b - a).count(); }

std::int64_t physical_memory_bytes() {
  return static_cast<std::int64_t>(::sysconf(_SC_PHYS_PAGES)) * static_cast<std::int64_t>(::sysconf(_SC_PAGE_SIZE));
}

llm::ModelConfig case_model(const Params& p) {
  llm::ModelConfig c = llm::resolve_model(p.str("model"));
  const long long layers = p.integer("layers");
  if (layers > 0 && layers < c.num_layers) {
    c.num_layers = layers;
    c.name = fmt::format("{} ({} layers)", c.name, layers);
  }
  return c;
}

class LlmCpuRun : public ProgramCase {
 public:
  LlmCpuRun(llm::ModelConfig config, const llm::InferenceRequest& request, std::uint64_t seed)
      : engine_(config, llm::synthetic_weights(config, seed)), request_(request) {
    std::mt19937_64 rng(seed);  // fully specified: the same prompts everywhere
    for (std::int64_t s = 0; s < request.batch; ++s) {
      std::vector<std::int32_t> prompt;
      for (std::int64_t t = 0; t < request.prompt_tokens; ++t) {
        prompt.push_back(static_cast<std::int32_t>(rng() % static_cast<std::uint64_t>(config.vocab_size)));
      }
      prompts_.push_back(std::move(prompt));
    }
    // Verified once, on a short prompt: finite logits, and decoding after a prefill agrees with one
    // longer prefill.
    const std::vector<std::int32_t> head(prompts_[0].begin(), prompts_[0].begin() + std::min<std::int64_t>(4, request.prompt_tokens));
    const auto length = static_cast<std::int64_t>(head.size()) + 1;
    llm::KvCache a = engine_.new_cache(length);
    engine_.prefill(a, head);
    const std::vector<float> step = engine_.decode_step(a, 0);
    std::vector<std::int32_t> longer = head;
    longer.push_back(0);
    llm::KvCache b = engine_.new_cache(length);
    const std::vector<float> whole = engine_.prefill(b, longer);
    double max_error = 0;
    for (std::size_t i = 0; i < step.size(); ++i) {
      if (!std::isfinite(step[i])) throw std::runtime_error("llm_cpu: the reference engine produced non-finite logits");
      max_error = std::max(max_error, static_cast<double>(std::abs(step[i] - whole[i])));
    }
    if (max_error > 1e-3) {
      throw std::runtime_error(fmt::format("llm_cpu: KV-cache decode disagrees with prefill by {}", max_error));
    }
    info_ = {{"model", config.name},
             {"parameters", llm::parameter_count(config)},
             {"weights_gib", static_cast<double>(llm::weight_bytes(config, llm::DType::F32)) / (1LL << 30)},
             {"kv_cache_check_max_abs_error", max_error}};
  }

  Measurement run() override {
    double prefill_s = 0;
    double decode_s = 0;
    for (const std::vector<std::int32_t>& prompt : prompts_) {
      llm::KvCache cache = engine_.new_cache(request_.tokens_per_sequence());
      const auto start = Clock::now();
      std::int32_t token = llm::argmax(engine_.prefill(cache, prompt));
      const auto first = Clock::now();
      for (std::int64_t i = 1; i < request_.generated_tokens; ++i) token = llm::argmax(engine_.decode_step(cache, token));
      const auto end = Clock::now();
      prefill_s += seconds_between(start, first);
      decode_s += seconds_between(first, end);
    }
    const auto batch = static_cast<double>(request_.batch);
    const auto generated = static_cast<double>(request_.generated_tokens);
    return {{"output_tokens_per_s", batch * generated / (prefill_s + decode_s)},
            {"prefill_tokens_per_s", batch * static_cast<double>(request_.prompt_tokens) / prefill_s},
            {"ttft_ms", 1e3 * prefill_s / batch},
            {"tpot_ms", 1e3 * decode_s / (batch * (generated - 1))}};
  }

  nlohmann::json info() const override { return info_; }

 private:
  llm::ReferenceEngine engine_;
  llm::InferenceRequest request_;
  std::vector<std::vector<std::int32_t>> prompts_;
  nlohmann::json info_;
};

std::unique_ptr<CaseRun> make_llm_cpu(const Params& p, const CaseContext& context) {
  const llm::ModelConfig config = case_model(p);
  const llm::InferenceRequest request{p.integer("batch"), p.integer("prompt"), p.integer("generate")};
  // The reference engine holds everything in fp32, in host memory.
  const llm::MemoryPlan plan = llm::plan_memory(config, llm::DType::F32, request);
  llm::require_fits(plan, config, llm::DType::F32, request, physical_memory_bytes(), "this host's memory");
  return std::make_unique<LlmCpuRun>(config, request, context.seed);
}

SB_REGISTER_WORKLOAD(
    llm_cpu,
    Workload{.name = "llm_cpu",
             .help = "Greedy text generation with sparkbench's fp32 CPU reference engine on one thread, synthetic "
                     "weights: per sequence a prefill of `prompt` random tokens, then decoding to `generate` tokens "
                     "(KV cache, grouped-query attention, SwiGLU). The LLM path on machines without a GPU: a "
                     "regression here with matmul_cpu and memory_bandwidth unchanged points at single-thread "
                     "speed (clock, SMT sharing, a CFS quota below one CPU). `layers` keeps a large model's shapes "
                     "(hidden size, vocabulary) at a CPU-friendly depth; the model's fp32 footprint is checked "
                     "against host memory before allocating.",
             .device = Device::Cpu,
             .layer = "cpu-compute",
             // Sequence and token counts are ints, as in the `llm` workload's engine, so that the memory plan's
             // prompt + generate cannot overflow before it is checked against the context window.
             .params = {{.name = "model", .defaults = {"tiny"}, .choices = {},
                         .help = "built-in model (tiny, llama-3.2-1b, llama-3.2-3b, llama-3.1-8b) or a config.json path"},
                        {.name = "layers", .type = ParamSpec::Type::Int, .defaults = {"0"}, .choices = {},
                         .help = "run only the first N layers (0: all); keeps the model's other shapes", .min = 0},
                        {.name = "batch", .type = ParamSpec::Type::Int, .defaults = {"1"}, .choices = {},
                         .help = "sequences, generated one after another", .min = 1, .max = kMaxIntParam},
                        {.name = "prompt", .type = ParamSpec::Type::Int, .defaults = {"64"}, .choices = {},
                         .help = "prompt tokens", .min = 1, .max = kMaxIntParam},
                        {.name = "generate", .type = ParamSpec::Type::Int, .defaults = {"32"}, .choices = {},
                         .help = "generated tokens per sequence (TPOT needs at least 2)", .min = 2, .max = kMaxIntParam}},
             .metrics = {{.name = "output_tokens_per_s", .unit = "tokens/s", .better = Better::Higher,
                          .help = "generated tokens / (prefill + decode time)"},
                         {.name = "prefill_tokens_per_s", .unit = "tokens/s", .better = Better::Higher,
                          .help = "prompt tokens / prefill time"},
                         {.name = "ttft_ms", .unit = "ms", .better = Better::Lower,
                          .help = "time to first token: prefill and the first greedy choice, per sequence"},
                         {.name = "tpot_ms", .unit = "ms", .better = Better::Lower,
                          .help = "time per output token after the first"}},
             .make = make_llm_cpu});

}  // namespace
}  // namespace sb
