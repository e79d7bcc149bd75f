// The `llm` case's record of the room its engine leaves (issue "Diagnose the causes"): the free
// device memory after the load and the KV tokens it holds, by memory_plan's formula. Label `gpu`:
// skips where no usable CUDA device exists.
#include <gtest/gtest.h>

#include "core/gpu_presence.hpp"
#include "llm/model_config.hpp"
#include "llm/memory_plan.hpp"
#include "workload/workload.hpp"

namespace sb {
namespace {

TEST(LlmGpuCase, RecordsFreeMemoryAfterLoadAndTheKvTokensItHolds) {
  if (!gpu_presence().present) GTEST_SKIP() << "GPU test skipped: " << gpu_presence().reason;
  const Workload& w = Registry::instance().get("llm");
  Params p;
  for (const auto& spec : w.params) p.set(spec.name, spec.defaults.front());
  p.set("model", "tiny");
  p.set("prompt", "16");
  p.set("generate", "4");
  const std::unique_ptr<CaseRun> run = w.make(p, CaseContext{.seed = 7});
  const nlohmann::json info = run->info();
  const std::int64_t free = info.at("device_free_bytes_after_load").get<std::int64_t>();
  EXPECT_GT(free, 0);
  const std::int64_t per_token = llm::kv_bytes_per_token(llm::builtin_model("tiny"), llm::DType::BF16);
  EXPECT_EQ(info.at("kv_capacity_tokens").get<std::int64_t>(), free / per_token) << info.dump();
}

}  // namespace
}  // namespace sb
