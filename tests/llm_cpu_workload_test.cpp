#include <gtest/gtest.h>

#include "test_support.hpp"

#include <cmath>

#include "core/error.hpp"
#include "workload/workload.hpp"

namespace sb {
namespace {

Params tiny_case() {
  return Params({{"model", "tiny"}, {"layers", "0"}, {"batch", "2"}, {"prompt", "8"}, {"generate", "4"}});
}

TEST(LlmCpuWorkload, RunsTheTinyModel) {
  const Workload& w = Registry::instance().get("llm_cpu");
  EXPECT_EQ(w.layer, "cpu-compute");
  const auto run = w.make(tiny_case(), CaseContext{});
  const Measurement m = test::run_program(*run);
  for (const MetricSpec& spec : w.metrics) {
    ASSERT_TRUE(m.count(spec.name)) << spec.name;
    EXPECT_TRUE(std::isfinite(m.at(spec.name)) && m.at(spec.name) > 0) << spec.name;
  }
  EXPECT_LT(run->info().at("kv_cache_check_max_abs_error").get<double>(), 1e-4);
  EXPECT_EQ(run->info().at("model"), "tiny");
}

TEST(LlmCpuWorkload, LayersKeepABigModelsShapesAtFewLayers) {
  Params p = tiny_case();
  p.set("layers", "1");
  EXPECT_EQ(Registry::instance().get("llm_cpu").make(p, CaseContext{})->info().at("model"), "tiny (1 layers)");
}

TEST(LlmCpuWorkload, BadParametersAreUserErrors) {
  const Workload& w = Registry::instance().get("llm_cpu");
  Params p = tiny_case();
  p.set("model", "gpt-5");
  EXPECT_THROW(w.make(p, CaseContext{}), Error);
  // TPOT needs two generated tokens: refused when the plan is made, before make().
  EXPECT_THROW(validate_param(w, find_param(w, "generate"), "1"), Error);
}

}  // namespace
}  // namespace sb
