// The `llm` GPU workload's CPU side: its registration, the floors (checked against arithmetic done
// by hand in the comments), the metrics computed from one generation's timings, the suites, and
// what a CPU-only build says.
#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "plan/plan.hpp"
#include "core/error.hpp"
#include "llm/model_config.hpp"
#include "test_support.hpp"
#include "workload/workload.hpp"
#include "workloads/llm/llm_energy.hpp"
#include "workloads/llm/llm_floors.hpp"
#include "workloads/llm/llm_metrics.hpp"

namespace sb::llm_workload {
namespace {

const Workload& llm_workload() { return Registry::instance().get("llm"); }

Params params_with(const std::map<std::string, std::string>& overrides) {
  Params p;
  for (const ParamSpec& spec : llm_workload().params) p.set(spec.name, spec.defaults.front());
  for (const auto& [name, value] : overrides) p.set(name, value);
  return p;
}

TEST(LlmWorkload, RegistrationDeclaresParamsAndMetrics) {
  const Workload& w = llm_workload();
  EXPECT_EQ(w.device, Device::Gpu);
  EXPECT_EQ(w.layer, "gpu-llm");
  const std::map<std::string, std::vector<std::string>> defaults{
      {"model", {"llama-3.1-8b"}}, {"batch", {"1"}},          {"prompt", {"512"}},     {"generate", {"128"}},
      {"weights", {"synthetic"}},  {"decode_gemm", {"auto"}}, {"cuda_graphs", {"1"}}};
  ASSERT_EQ(w.params.size(), defaults.size());
  for (const ParamSpec& spec : w.params) {
    ASSERT_TRUE(defaults.count(spec.name)) << "unexpected parameter " << spec.name;
    EXPECT_EQ(spec.defaults, defaults.at(spec.name)) << spec.name;
    EXPECT_FALSE(spec.help.empty()) << spec.name;
  }
  EXPECT_THROW(validate_param(w, find_param(w, "decode_gemm"), "cutlass"), Error);
  EXPECT_THROW(validate_param(w, find_param(w, "cuda_graphs"), "2"), Error);

  const std::vector<std::pair<std::string, Better>> metrics{
      {"output_tokens_per_s", Better::Higher}, {"ttft_ms", Better::Lower},
      {"tpot_ms", Better::Lower},              {"itl_p50_ms", Better::Lower},
      {"itl_p99_ms", Better::Lower},           {"prefill_tokens_per_s", Better::Higher},
      {"total_tokens_per_s", Better::Higher},  {"e2e_ms", Better::Lower},
      {"peak_gpu_memory_gib", Better::Lower},  {"decode_bandwidth_efficiency", Better::Higher},
      {"prefill_gemm_efficiency", Better::Higher}, {"energy_per_output_token_j", Better::Lower}};
  ASSERT_EQ(w.metrics.size(), metrics.size());
  for (std::size_t i = 0; i < metrics.size(); ++i) {
    EXPECT_EQ(w.metrics[i].name, metrics[i].first);
    EXPECT_EQ(w.metrics[i].better, metrics[i].second) << metrics[i].first;
    EXPECT_FALSE(w.metrics[i].help.empty()) << metrics[i].first;
  }
}

TEST(LlmWorkload, BadParametersAreUserErrorsInEveryBuild) {
  const Workload& w = llm_workload();
  EXPECT_NE(test::message_of([&] { w.make(params_with({{"generate", "1"}}), {}); }).find("generate at least 2"),
            std::string::npos);
  EXPECT_NE(test::message_of([&] { w.make(params_with({{"model", "gpt-5"}}), {}); }).find("unknown model"),
            std::string::npos);
  EXPECT_NE(test::message_of([&] { w.make(params_with({{"weights", "/no/such/model.safetensors"}}), {}); })
                .find("does not exist"),
            std::string::npos);
  // 131072 prompt tokens + 128 generated exceed Llama 3.1's 131072 positions.
  EXPECT_NE(test::message_of([&] { w.make(params_with({{"prompt", "131072"}}), {}); }).find("max_position_embeddings"),
            std::string::npos);
  EXPECT_THROW(w.make(params_with({{"batch", "0"}}), {}), Error);
}

TEST(LlmWorkload, CpuOnlyBuildSaysToRebuildWithCuda) {
#if SPARKBENCH_HAVE_CUDA
  GTEST_SKIP() << "this build has CUDA: the case is built by the GPU tests";
#else
  try {
    llm_workload().make(params_with({{"model", "tiny"}}), {});
    FAIL() << "expected sb::Unavailable";
  } catch (const Unavailable& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("llm"), std::string::npos) << message;
    EXPECT_NE(message.find("rebuild it with -DSPARKBENCH_CUDA=ON"), std::string::npos) << message;
  }
#endif
}

// llama-3.1-8b: hidden 4096, intermediate 14336, 32 layers, 32 heads x 128, 8 KV heads (kv_dim
// 1024), vocabulary 128256, untied.
//   projections per layer: q 4096x4096 + k, v 2 x 4096x1024 + o 4096x4096 + gate, up, down
//     3 x 4096x14336 = 16777216 + 8388608 + 16777216 + 176160768 = 218103808
//   applied weights: 32 x (218103808 + 2 x 4096 norms) + 4096 final norm + 128256 x 4096 lm_head
//     = 6979584000 + 4096 + 525336576 = 7504924672 -> x 2 B = 15009849344 B
//   KV at batch 1, context 512 + 128/2 = 576: 1 x 32 x 2 x 1024 x 576 x 2 B = 75497472 B
//   total 15085346816 B
TEST(LlmFloors, DecodeBytesOfLlama8B) {
  const llm::ModelConfig c = llm::builtin_model("llama-3.1-8b");
  EXPECT_DOUBLE_EQ(mean_decode_context(512, 128), 576.0);
  EXPECT_DOUBLE_EQ(decode_step_bytes(c, 1, 576), 15085346816.0);
  // batch 16, context 2048 + 128/2 = 2112: KV 16 x 32 x 2 x 1024 x 2112 x 2 = 4429185024 B
  EXPECT_DOUBLE_EQ(decode_step_bytes(c, 16, mean_decode_context(2048, 128)), 15009849344.0 + 4429185024.0);
}

// llama-3.2-1b ties lm_head to the embedding: the table is read whole once, as the lm_head.
//   projections per layer: 2048x2048 x 2 + 2048x512 x 2 + 3 x 2048x8192 = 60817408
//   applied weights: 16 x (60817408 + 4096) + 2048 + 128256 x 2048 = 1235814400 (= its parameter
//   count) -> 2471628800 B; KV at batch 1, context 128 + 32/2 = 144: 16 x 2 x 512 x 144 x 2 = 4718592 B
TEST(LlmFloors, DecodeBytesOfATiedModelReadTheTableOnce) {
  const llm::ModelConfig c = llm::builtin_model("llama-3.2-1b");
  EXPECT_DOUBLE_EQ(decode_step_bytes(c, 1, mean_decode_context(128, 32)), 2471628800.0 + 4718592.0);
}

// tiny: hidden 128, intermediate 384, 2 layers, 4 heads x 32, 2 KV heads (kv_dim 64), vocab 512.
//   projections per layer: 128x128 x 2 + 128x64 x 2 + 3 x 128x384 = 196608
//   applied weights: 2 x (196608 + 256) + 128 + 512 x 128 = 459392 -> 918784 B
//   KV at batch 2, context 8 + 4/2 = 10: 2 x 2 x 2 x 64 x 10 x 2 = 10240 B
//   prefill, batch 2 x 8 tokens: linear 2 x 196608 x 2 x 16 = 12582912; attention
//   2 x 2 x 2 layers x 128 x (8 x 9 / 2) x 2 sequences = 73728; lm_head 2 x 128 x 512 x 2 = 262144;
//   total 12918784
TEST(LlmFloors, TinyModelByHand) {
  const llm::ModelConfig c = llm::builtin_model("tiny");
  EXPECT_DOUBLE_EQ(decode_step_bytes(c, 2, mean_decode_context(8, 4)), 918784.0 + 10240.0);
  EXPECT_DOUBLE_EQ(prefill_flops(c, 2, 8), 12918784.0);
}

// llama-3.1-8b, batch 1, prompt 512:
//   linear 2 x 218103808 x 32 x 512 = 7146825580544
//   attention 2 x 2 x 32 x 4096 x (512 x 513 / 2) = 68853694464
//   lm_head 2 x 4096 x 128256 = 1050673152
//   total 7216729948160
// batch 4, prompt 2048: 2 x 218103808 x 32 x 8192 + 4 x 32 x 4096 x 2098176 x 4 + 4 x 1050673152
//   = 114349209288704 + 4400193994752 + 4202692608 = 118753605976064 (python3)
TEST(LlmFloors, PrefillFlopsOfLlama8B) {
  const llm::ModelConfig c = llm::builtin_model("llama-3.1-8b");
  EXPECT_DOUBLE_EQ(prefill_flops(c, 1, 512), 7216729948160.0);
  EXPECT_DOUBLE_EQ(prefill_flops(c, 4, 2048), 118753605976064.0);
}

// With a 4 TB/s copy and 800 TFLOP/s: decode 15085346816 B / 4e12 B/s = 3.771336704 ms; prefill
// 7216729948160 / 8e14 = 9.0209124352 ms.
TEST(LlmFloors, FloorTimesDivideByTheMeasuredRates) {
  const FloorTimes f = floor_times(llm::builtin_model("llama-3.1-8b"), {1, 512, 128},
                                   {.copy_bytes_per_s = 4e12, .bf16_gemm_flops_per_s = 8e14});
  EXPECT_DOUBLE_EQ(f.decode_step_ms, 3.771336704);
  EXPECT_DOUBLE_EQ(f.prefill_ms, 9.0209124352);
}

// batch 4, prompt 16, generate 8: prefill 50 ms, 7 decode steps summing to 98.5 ms.
//   e2e 148.5 ms; output 32 tokens / 0.1485 s; total 4 x 24 / 0.1485 s; prefill 64 / 0.05 s
//   TPOT 98.5 / 7; ITL p50 and p99 as numpy.percentile(steps, [50, 99]) = 11.5, 28.98
TEST(LlmMetrics, OneGenerationsTimingsBecomeTheMetrics) {
  const std::vector<double> steps{10.0, 12.5, 11.0, 30.0, 10.5, 11.5, 13.0};
  const FloorTimes floors{.decode_step_ms = 2.3, .prefill_ms = 20.0};
  const Measurement m = generation_metrics({4, 16, 8}, floors,
                                           {.prefill_ms = 50.0, .step_ms = steps, .device_memory_bytes = 3.0 * (1 << 30)});
  for (const MetricSpec& spec : metric_specs()) EXPECT_TRUE(spec.optional || m.count(spec.name)) << spec.name;
  EXPECT_EQ(m.size(), metric_specs().size() - 1);  // all but the optional energy metric, which the case adds
  EXPECT_DOUBLE_EQ(m.at("e2e_ms"), 148.5);
  EXPECT_DOUBLE_EQ(m.at("ttft_ms"), 50.0);
  EXPECT_DOUBLE_EQ(m.at("output_tokens_per_s"), 32 / 0.1485);
  EXPECT_DOUBLE_EQ(m.at("total_tokens_per_s"), 96 / 0.1485);
  EXPECT_DOUBLE_EQ(m.at("prefill_tokens_per_s"), 1280.0);
  EXPECT_DOUBLE_EQ(m.at("tpot_ms"), 98.5 / 7);
  EXPECT_DOUBLE_EQ(m.at("itl_p50_ms"), 11.5);
  EXPECT_NEAR(m.at("itl_p99_ms"), 28.98, 1e-12);
  EXPECT_DOUBLE_EQ(m.at("peak_gpu_memory_gib"), 3.0);
  EXPECT_DOUBLE_EQ(m.at("decode_bandwidth_efficiency"), 2.3 / 11.5);
  EXPECT_DOUBLE_EQ(m.at("prefill_gemm_efficiency"), 0.4);
}

TEST(LlmMetrics, ReadingsThatDoNotMatchTheRequestAreRejected) {
  const std::vector<double> steps{1.0, 1.0};
  EXPECT_THROW(generation_metrics({1, 16, 8}, {}, {.prefill_ms = 5, .step_ms = steps}), std::invalid_argument);
  EXPECT_THROW(generation_metrics({1, 16, 3}, {}, {.prefill_ms = 0, .step_ms = steps}), std::invalid_argument);
  EXPECT_NO_THROW(generation_metrics({1, 16, 3}, {}, {.prefill_ms = 5, .step_ms = steps}));
}

TEST(LlmWorkload, SuitesExpandToTheSeedsGrid) {
  const config::Config c = config::load(std::string(SPARKBENCH_SOURCE_DIR) + "/benchmarks/config.yaml");
  const auto llm = plan::suite_cases(c.suite("llm"), true);
  ASSERT_EQ(llm.size(), 12u);  // llama-3.1-8b x batch {1, 4, 16, 32} x prompt {128, 512, 2048}, generate 128
  for (const auto& planned : llm) {
    EXPECT_EQ(planned.workload->name, "llm");
    EXPECT_EQ(planned.params.str("model"), "llama-3.1-8b");
    EXPECT_EQ(planned.params.str("generate"), "128");
  }
  EXPECT_EQ(plan::suite_cases(c.suite("llm-quick"), true).size(), 3u);  // 1b x batch {1, 8}; 8b batch 1
  EXPECT_TRUE(plan::suite_cases(c.suite("llm"), false).empty());
}

// Runs under ctest as unit.fake_nvml, with tests/fake_nvml's libnvidia-ml.so.1 on LD_LIBRARY_PATH:
// one device, whose UUID is known, without the energy counter.
TEST(FakeNvml, EnergyMeterFindsTheGpuByUuidAndSaysWhyItCannotRead) {
  if (!std::getenv("SPARKBENCH_FAKE_NVML")) GTEST_SKIP() << "needs the fake NVML: run `ctest -R fake_nvml`";
  const EnergyMeter other("GPU-ffffffff-1111-2222-3333-444444444444");
  EXPECT_FALSE(other.available());
  EXPECT_NE(other.unavailable_reason().find("no NVML device has the CUDA device's UUID"), std::string::npos)
      << other.unavailable_reason();
  EnergyMeter fake("GPU-00000000-1111-2222-3333-444444444444");
  EXPECT_FALSE(fake.available());
  EXPECT_NE(fake.unavailable_reason().find("nvmlDeviceGetTotalEnergyConsumption"), std::string::npos)
      << fake.unavailable_reason();
  EXPECT_FALSE(fake.read_millijoules().has_value());
}

}  // namespace
}  // namespace sb::llm_workload
