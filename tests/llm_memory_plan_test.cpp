#include <gtest/gtest.h>

#include "test_support.hpp"

#include <functional>
#include <string>

#include "core/error.hpp"
#include "llm/memory_plan.hpp"

namespace sb::llm {
namespace {

using sb::test::message_of;

constexpr std::int64_t kGiB = 1LL << 30;

TEST(LlmMemoryPlan, EightBillionBatchOneFitsAnH100) {
  const ModelConfig c = builtin_model("llama-3.1-8b");
  const InferenceRequest r{1, 2048, 128};
  const MemoryPlan plan = plan_memory(c, DType::BF16, r);
  EXPECT_EQ(plan.weight_bytes, 2 * parameter_count(c));
  EXPECT_NO_THROW(require_fits(plan, c, DType::BF16, r, 80'000'000'000LL, "H100 80GB"));
  EXPECT_LT(plan.total_bytes(), 18'000'000'000LL);
}

// By hand: K and V x 32 layers x 8 KV heads x 128 dims x 2 bytes = 131072 bytes per token;
// x (2048 + 128) tokens x 32 sequences = 9126805504 bytes = 8.5 GiB.
TEST(LlmMemoryPlan, KvCacheOfEightBillionBatch32) {
  const ModelConfig c = builtin_model("llama-3.1-8b");
  EXPECT_EQ(kv_bytes_per_token(c, DType::BF16), 131072);
  const MemoryPlan plan = plan_memory(c, DType::BF16, {32, 2048, 128});
  EXPECT_EQ(plan.kv_cache_bytes, 9'126'805'504LL);
  EXPECT_DOUBLE_EQ(static_cast<double>(plan.kv_cache_bytes) / kGiB, 8.5);
  // Activations of a whole-batch prefill: 65536 tokens x (2 x 4096 + 4096 + 2 x 1024 + 4096 + 2 x 14336)
  // values x 2 bytes, plus 32 x 128256 fp32 logits.
  EXPECT_EQ(plan.activation_bytes, 65536LL * 47104 * 2 + 32LL * 128256 * 4);
  // Prefilled 2048 tokens at a time, the activations shrink 32 times (the logits stay).
  EXPECT_EQ(plan_memory(c, DType::BF16, {32, 2048, 128, 2048}).activation_bytes, 2048LL * 47104 * 2 + 32LL * 128256 * 4);
  EXPECT_NO_THROW(require_fits(plan, c, DType::BF16, {32, 2048, 128}, 128'000'000'000LL, "DGX Spark"));
}

// 16 GiB minus the 14.96 GiB of weights and 64 MiB of workspace leaves 1052237824 bytes; a
// sequence of 2048 + 128 tokens takes 285212672 (KV) + 192937984 (prefill activations) + 513024
// (logits) = 478663680 bytes, so at most 2 sequences fit.
TEST(LlmMemoryPlan, ARequestThatDoesNotFitSaysByHowMuchAndWhatFits) {
  const ModelConfig c = builtin_model("llama-3.1-8b");
  const InferenceRequest r{32, 2048, 128};
  const std::string msg = message_of([&] {
    require_fits(plan_memory(c, DType::BF16, r), c, DType::BF16, r, 16 * kGiB, "a 16 GiB GPU");
  });
  EXPECT_NE(msg.find("llama-3.1-8b (bf16) needs 29.29 GiB for batch 32 x (2048 prompt + 128 generated) tokens but "
                     "a 16 GiB GPU has 16.00 GiB: weights 14.96 GiB + KV cache 8.50 GiB + activations 5.77 GiB + "
                     "workspace 0.06 GiB"),
            std::string::npos)
      << msg;
  EXPECT_NE(msg.find("reduce the batch to 2 or less"), std::string::npos) << msg;
  EXPECT_NE(msg.find("choose a smaller model"), std::string::npos) << msg;
}

TEST(LlmMemoryPlan, WeightsAloneTooLarge) {
  const ModelConfig c = builtin_model("llama-3.1-8b");
  const InferenceRequest r{1, 128, 128};
  const std::string msg = message_of([&] { require_fits(plan_memory(c, DType::BF16, r), c, DType::BF16, r, 8 * kGiB, "x"); });
  EXPECT_NE(msg.find("the weights alone (14.96 GiB) do not fit: choose a smaller model"), std::string::npos) << msg;
}

TEST(LlmMemoryPlan, LongerThanTheModelsContext) {
  const std::string msg = message_of([] { plan_memory(builtin_model("tiny"), DType::BF16, {1, 131072, 1}); });
  EXPECT_NE(msg.find("131073 tokens per sequence (prompt 131072 + generated 1) exceed tiny's max_position_embeddings 131072"),
            std::string::npos)
      << msg;
  EXPECT_NE(message_of([] { plan_memory(builtin_model("tiny"), DType::BF16, {0, 16, 1}); }).find("invalid request"),
            std::string::npos);
}

}  // namespace
}  // namespace sb::llm
