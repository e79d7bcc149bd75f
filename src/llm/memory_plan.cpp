#include "llm/memory_plan.hpp"

#include <algorithm>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/error.hpp"

namespace sb::llm {

namespace {

double gib(std::int64_t bytes) { return static_cast<double>(bytes) / static_cast<double>(1LL << 30); }

std::int64_t activation_bytes(const ModelConfig& c, DType dtype, const InferenceRequest& r) {
  const std::int64_t per_token = 2 * c.hidden_size + c.q_dim() + 2 * c.kv_dim() + c.q_dim() + 2 * c.intermediate_size;
  const std::int64_t whole = r.batch * r.prompt_tokens;
  const std::int64_t prefill_tokens = r.prefill_chunk_tokens > 0 ? std::min(r.prefill_chunk_tokens, whole) : whole;
  const std::int64_t logits = r.batch * c.vocab_size * 4;
  return prefill_tokens * per_token * static_cast<std::int64_t>(dtype_size(dtype)) + logits;
}

// The largest value in [0, limit] for which `fits` holds (fits is monotone: true, then false).
std::int64_t largest_fitting(std::int64_t limit, const auto& fits) {
  std::int64_t low = 0;
  std::int64_t high = limit;
  while (low < high) {
    const std::int64_t mid = low + (high - low + 1) / 2;
    if (fits(mid)) low = mid; else high = mid - 1;
  }
  return low;
}

}  // namespace

std::int64_t kv_bytes_per_token(const ModelConfig& c, DType kv_dtype) {
  return 2 * c.num_layers * c.num_kv_heads * c.head_dim * static_cast<std::int64_t>(dtype_size(kv_dtype));
}

MemoryPlan plan_memory(const ModelConfig& c, DType dtype, const InferenceRequest& r) {
  if (r.batch <= 0 || r.prompt_tokens <= 0 || r.generated_tokens < 0) {
    throw Error(fmt::format("invalid request: batch {}, prompt {} tokens, {} generated", r.batch, r.prompt_tokens,
                            r.generated_tokens),
                "use a batch and a prompt length of at least 1");
  }
  if (r.tokens_per_sequence() > c.max_position_embeddings) {
    throw Error(fmt::format("{} tokens per sequence (prompt {} + generated {}) exceed {}'s max_position_embeddings {}",
                            r.tokens_per_sequence(), r.prompt_tokens, r.generated_tokens, c.name,
                            c.max_position_embeddings),
                "shorten the prompt or the number of generated tokens");
  }
  MemoryPlan p;
  p.weight_bytes = weight_bytes(c, dtype);
  p.kv_cache_bytes = kv_bytes_per_token(c, dtype) * r.tokens_per_sequence() * r.batch;
  p.activation_bytes = activation_bytes(c, dtype, r);
  p.workspace_bytes = kWorkspaceBytes;
  return p;
}

void require_fits(const MemoryPlan& plan, const ModelConfig& c, DType dtype, const InferenceRequest& r,
                  std::int64_t available_bytes, const std::string& device) {
  if (plan.total_bytes() <= available_bytes) return;
  const std::string problem = fmt::format(
      "{} ({}) needs {:.2f} GiB for batch {} x ({} prompt + {} generated) tokens but {} has {:.2f} GiB: weights "
      "{:.2f} GiB + KV cache {:.2f} GiB + activations {:.2f} GiB + workspace {:.2f} GiB",
      c.name, to_string(dtype), gib(plan.total_bytes()), r.batch, r.prompt_tokens, r.generated_tokens, device,
      gib(available_bytes), gib(plan.weight_bytes), gib(plan.kv_cache_bytes), gib(plan.activation_bytes),
      gib(plan.workspace_bytes));

  const auto fits = [&](const InferenceRequest& candidate) {
    return plan_memory(c, dtype, candidate).total_bytes() <= available_bytes;
  };
  const std::int64_t max_batch = largest_fitting(r.batch, [&](std::int64_t b) {
    return b > 0 && fits({b, r.prompt_tokens, r.generated_tokens, r.prefill_chunk_tokens});
  });
  // Shorter sequences: shrink the prompt, keeping the number of generated tokens.
  const std::int64_t max_prompt = largest_fitting(r.prompt_tokens, [&](std::int64_t p) {
    return p > 0 && fits({r.batch, p, r.generated_tokens, r.prefill_chunk_tokens});
  });
  std::string fix;
  if (!fits({1, 1, 0, 0})) {
    fix = fmt::format("the weights alone ({:.2f} GiB) do not fit: choose a smaller model", gib(plan.weight_bytes));
  } else {
    std::vector<std::string> options;
    if (max_batch > 0) options.push_back(fmt::format("reduce the batch to {} or less", max_batch));
    if (max_prompt > 0) options.push_back(fmt::format("shorten the prompt to {} tokens or less", max_prompt));
    if (options.empty()) options.push_back("reduce both the batch and the sequence length");
    options.push_back("choose a smaller model");
    fix = fmt::format("{}", fmt::join(options, ", or "));
  }
  throw Error(problem, fix);
}

}  // namespace sb::llm
