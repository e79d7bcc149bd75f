// The `llm` case on CUDA: one CudaEngine per case, one greedy generation of the whole batch per
// repetition.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <optional>
#include <random>
#include <vector>

#include <cuda_runtime_api.h>
#include <fmt/format.h>

#include "core/cuda_status.hpp"
#include "core/cuda_uuid.hpp"
#include "core/error.hpp"
#include "core/process_memory.hpp"
#include "llm/weight_loader.hpp"
#include "llm_cuda/cuda_engine.hpp"
#include "workloads/llm/llm_case.hpp"
#include "workloads/llm/llm_energy.hpp"
#include "workloads/llm/llm_floors.hpp"
#include "workloads/llm/llm_metrics.hpp"
#include "workloads/llm/llm_rates.hpp"

namespace sb::llm_workload {
namespace {

double gib(double bytes) { return bytes / static_cast<double>(1LL << 30); }

// Device memory in use on the whole device (all processes), bytes.
double device_memory_used() {
  std::size_t free = 0, total = 0;
  SB_CUDA_CHECK(cudaMemGetInfo(&free, &total));
  return static_cast<double>(total - free);
}

// Free device memory now, bytes.
std::int64_t device_free_bytes() {
  std::size_t free = 0, total = 0;
  SB_CUDA_CHECK(cudaMemGetInfo(&free, &total));
  return static_cast<std::int64_t>(free);
}

cudaDeviceProp device_properties(int device) {
  cudaDeviceProp prop{};
  SB_CUDA_CHECK(cudaGetDeviceProperties(&prop, device));
  return prop;
}

// A checkpoint opened (mapped and checked) before the engine exists, and how long that took; the
// engine then streams it to the device.
struct OpenedWeights {
  std::optional<llm::Checkpoint> checkpoint;  // none for synthetic weights
  double seconds = 0;
  bool peak_reset = false;  // VmHWM was reset just before, so that it reads the load's peak
};

OpenedWeights open_weights(const CaseSettings& s) {
  OpenedWeights w;
  if (s.weights == kSyntheticWeights) return w;
  w.peak_reset = reset_peak_resident();
  const auto start = std::chrono::steady_clock::now();
  w.checkpoint = llm::open_checkpoint(s.weights, s.model);
  w.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return w;
}

llm::CudaEngine build_engine(const CaseSettings& s, const OpenedWeights& weights, std::uint64_t seed, int device) {
  const llm::CudaEngineOptions options{.max_batch = s.request.batch,
                                       .max_tokens_per_sequence = s.request.tokens_per_sequence(),
                                       .prefill_chunk_tokens = 0,
                                       .decode_gemm = s.decode_gemm,
                                       .cuda_graphs = s.cuda_graphs,
                                       .device = device};
  if (!weights.checkpoint) return llm::CudaEngine(s.model, seed, options);
  return llm::CudaEngine(s.model, *weights.checkpoint, options);
}

// Seeded random token ids, fully specified (std::mt19937_64): the same prompts in every environment.
std::vector<std::vector<std::int32_t>> random_prompts(const CaseSettings& s, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<std::vector<std::int32_t>> prompts(static_cast<std::size_t>(s.request.batch));
  for (auto& prompt : prompts)
    for (std::int64_t t = 0; t < s.request.prompt_tokens; ++t)
      prompt.push_back(static_cast<std::int32_t>(rng() % static_cast<std::uint64_t>(s.model.vocab_size)));
  return prompts;
}

// ProgramCase: a repetition is one generation, whose phases (prefill, decode steps) the engine times.
class LlmGpuCase final : public ProgramCase {
 public:
  LlmGpuCase(const CaseSettings& settings, const CaseContext& context)
      : settings_(settings),
        device_(cuda::usable_device()),
        prop_(device_properties(device_)),
        rates_(measured_rates(context)),  // before the engine, so that their buffers are freed by then
        memory_before_(device_memory_used()),
        opened_(open_weights(settings)),
        engine_(build_engine(settings, opened_, context.seed, device_)),
        device_free_after_load_(device_free_bytes()),
        memory_after_load_(process_memory()),
        prompts_(random_prompts(settings, context.seed)),
        floors_(floor_times(settings.model, settings.request, rates_.rates)),
        energy_(cuda::uuid_text(prop_.uuid)) {
    opened_.checkpoint.reset();  // the weights are on the device: unmap the files
    verify();
  }

  Measurement run() override {
    const auto energy_start = energy_.read_millijoules();
    const llm::CudaEngine::Generation g = engine_.generate_greedy(prompts_, settings_.request.generated_tokens);
    const auto energy_end = energy_.read_millijoules();
    check_tokens(g);
    Measurement m = generation_metrics(
        settings_.request, floors_,
        {.prefill_ms = g.prefill_ms, .step_ms = g.step_ms, .device_memory_bytes = device_memory_used() - memory_before_});
    if (energy_start && energy_end) {
      m["energy_per_output_token_j"] = static_cast<double>(*energy_end - *energy_start) * 1e-3 / output_tokens();
    }
    return m;
  }

  nlohmann::json info() const override {
    const llm::MemoryPlan& plan = engine_.memory_plan();
    const llm::InferenceRequest& r = settings_.request;
    nlohmann::json choices = nlohmann::json::object();
    for (const auto& [weight, implementation] : engine_.decode_gemm_choices()) choices[weight] = implementation;
    return {{"device", prop_.name},
            {"compute_capability", fmt::format("{}.{}", prop_.major, prop_.minor)},
            {"model", settings_.model.name},
            {"parameters", llm::parameter_count(settings_.model)},
            {"weights", settings_.weights},
            {"weights_gib", gib(static_cast<double>(plan.weight_bytes))},
            {"weights_load_s", weights_load_seconds()},
            {"weights_load", weights_load_info()},
            {"host_memory_gib", host_memory_info()},
            {"memory_plan_gib", {{"weights", gib(static_cast<double>(plan.weight_bytes))},
                                 {"kv_cache", gib(static_cast<double>(plan.kv_cache_bytes))},
                                 {"activations", gib(static_cast<double>(plan.activation_bytes))},
                                 {"workspace", gib(static_cast<double>(plan.workspace_bytes))},
                                 {"total", gib(static_cast<double>(plan.total_bytes()))}}},
            {"engine_device_gib", gib(static_cast<double>(engine_.device_bytes()))},
            // Serving engines (vLLM's gpu_memory_utilization, TensorRT-LLM's free_gpu_memory_fraction)
            // size their KV cache from the memory free once the weights are loaded: that is what
            // bounds their concurrency. On unified memory (GB10, Jetson) the GPU's memory is the
            // host's, so a warm page cache or another process shrinks it, and a container's run can
            // get a smaller KV cache with the same image. Read after this engine was built (its
            // weights, its own KV cache for this request, its buffers): the room left beyond it.
            {"device_free_bytes_after_load", device_free_after_load_},
            {"kv_capacity_tokens", device_free_after_load_ / llm::kv_bytes_per_token(settings_.model, llm::kCudaEngineDType)},
            {"decode_gemm", settings_.decode_gemm},
            {"decode_gemm_choices", choices},
            {"cuda_graphs", settings_.cuda_graphs},
            {"prompts", "seeded random token ids (std::mt19937_64, case seed), equal length"},
            {"timer", "the engine's host wall-clock: TTFT = prompts in -> first token ids on the host; one decode "
                      "step = token ids on the host -> next token ids on the host"},
            {"verification", verification_},
            {"rates", rates_.info},
            {"floors", {{"decode_mean_context", mean_decode_context(r.prompt_tokens, r.generated_tokens)},
                        {"decode_step_bytes", decode_step_bytes(settings_.model, r.batch,
                                                                mean_decode_context(r.prompt_tokens, r.generated_tokens))},
                        {"decode_step_floor_ms", floors_.decode_step_ms},
                        {"prefill_flops", prefill_flops(settings_.model, r.batch, r.prompt_tokens)},
                        {"prefill_floor_ms", floors_.prefill_ms},
                        {"efficiencies", "fractions: floor time / measured time"}}},
            {"energy", energy_info()}};
  }

 private:
  double output_tokens() const {
    return static_cast<double>(settings_.request.batch) * static_cast<double>(settings_.request.generated_tokens);
  }

  // Once, before any timing: the engine's logits for the case's prompts are finite and shaped
  // [batch][vocab]. (Agreement with the CPU reference engine is the GPU tests' job.)
  void verify() {
    const std::vector<std::vector<float>> logits = engine_.prefill_logits(prompts_);
    const auto vocab = static_cast<std::size_t>(settings_.model.vocab_size);
    if (logits.size() != prompts_.size())
      throw Error(fmt::format("llm: the engine returned logits for {} of {} sequences", logits.size(), prompts_.size()),
                  "a bug in the CUDA engine: report it with this case's parameters", kExitFailure);
    double max_abs = 0;
    for (const auto& row : logits) {
      if (row.size() != vocab)
        throw Error(fmt::format("llm: the engine returned {} logits per sequence, the vocabulary has {}", row.size(), vocab),
                    "a bug in the CUDA engine: report it with this case's parameters", kExitFailure);
      for (const float v : row) {
        if (!std::isfinite(v))
          throw Error(fmt::format("llm: {} on {} produced a non-finite logit ({}) for the case's prompts",
                                  settings_.model.name, prop_.name, v),
                      "with a checkpoint, check that it matches `model`; otherwise check the GPU (`nvidia-smi -q -d "
                      "ECC`, dmesg Xid errors) and run the GPU tests",
                      kExitFailure);
        max_abs = std::max(max_abs, static_cast<double>(std::abs(v)));
      }
    }
    verification_ = {{"check", "prefill logits of every sequence finite, [batch][vocab]"},
                     {"max_abs_logit", max_abs}};
  }

  void check_tokens(const llm::CudaEngine::Generation& g) const {
    const auto steps = static_cast<std::size_t>(settings_.request.generated_tokens);
    bool ok = g.tokens.size() == prompts_.size();
    for (const auto& sequence : g.tokens) {
      ok = ok && sequence.size() == steps;
      for (const std::int32_t t : sequence) ok = ok && t >= 0 && t < settings_.model.vocab_size;
    }
    if (!ok)
      throw Error(fmt::format("llm: the generation did not return {} valid token ids for each of {} sequences", steps,
                              prompts_.size()),
                  "a bug in the CUDA engine: report it with this case's parameters", kExitFailure);
  }

  // Checkpoint weights: mapping and checking the files, then streaming them to the device in bf16.
  nlohmann::json weights_load_seconds() const {
    if (settings_.weights == kSyntheticWeights) return nullptr;
    return opened_.seconds + engine_.weight_upload().seconds;
  }

  nlohmann::json weights_load_info() const {
    if (settings_.weights == kSyntheticWeights) return nullptr;  // generated on the device: nothing read
    const llm::WeightUpload& u = engine_.weight_upload();
    return {{"open_s", opened_.seconds},
            {"upload_s", u.seconds},
            {"bytes_uploaded", u.bytes},
            {"chunks", u.chunks},
            {"staging_mib", static_cast<double>(u.staging_bytes) / (1 << 20)},
            {"threads", u.threads},
            {"how", "the files are mapped and read front to back; each tensor is converted to bf16 a chunk at "
                    "a time into pinned staging (two buffers, one copied to the device while the next is "
                    "filled), and the file pages read are handed back to the kernel (MADV_DONTNEED)"}};
  }

  // Host memory right after the engine was built. With a checkpoint, VmHWM was reset before opening
  // it (where the kernel allows), so it is the load's peak: anonymous memory plus file pages.
  nlohmann::json host_memory_info() const {
    auto value = [](const std::optional<std::int64_t>& bytes) -> nlohmann::json {
      return bytes ? nlohmann::json(gib(static_cast<double>(*bytes))) : nlohmann::json(nullptr);
    };
    return {{"vm_hwm", value(memory_after_load_.peak_resident)},
            {"vm_hwm_since", opened_.peak_reset ? "opening the checkpoint" : "the process started"},
            {"rss_anon_after_load", value(memory_after_load_.resident_anon)},
            {"rss_file_after_load", value(memory_after_load_.resident_file)}};
  }

  // Where the energy metric comes from, or why it is absent (it is an optional metric).
  nlohmann::json energy_info() const {
    nlohmann::json j{{"source", "NVML nvmlDeviceGetTotalEnergyConsumption before and after each generation "
                                "(whole GPU) / (batch x generate)"},
                     {"note", "the counter's update interval (tens of ms on some GPUs) blurs short generations"}};
    if (!energy_.available()) j["unavailable_reason"] = energy_.unavailable_reason();
    return j;
  }

  CaseSettings settings_;
  int device_;
  cudaDeviceProp prop_;
  const MeasuredRates& rates_;
  double memory_before_;
  OpenedWeights opened_;
  llm::CudaEngine engine_;
  std::int64_t device_free_after_load_;
  ProcessMemory memory_after_load_;
  std::vector<std::vector<std::int32_t>> prompts_;
  FloorTimes floors_;
  EnergyMeter energy_;
  nlohmann::json verification_;
};

}  // namespace

std::unique_ptr<CaseRun> make_gpu_case(const CaseSettings& settings, const CaseContext& context) {
  return std::make_unique<LlmGpuCase>(settings, context);
}

}  // namespace sb::llm_workload
