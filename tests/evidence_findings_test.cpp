// Tests of diagnose::evidence_findings through find_causes: comparisons of hand-built records that
// carry the canary, memory, core-class, JIT-cache, engine and library evidence. Each finding fires
// with its numbers where the evidence is there, and stays away where it is not.
#include <gtest/gtest.h>

#include "comparison_builders.hpp"

#include "compare/compare.hpp"
#include "diagnose/evidence_findings.hpp"
#include "diagnose/findings.hpp"
#include "record/record.hpp"
#include "report/report.hpp"

namespace sb::diagnose {
namespace {

using nlohmann::json;

constexpr double kGiB = 1024.0 * 1024 * 1024;

using compare::test::normal_samples;

// A case as comparison_builders makes it, with the evidence a case's info carries.
record::CaseResult make_case(const std::string& id, const std::string& layer, std::vector<double> samples,
                             json info = json::object()) {
  record::CaseResult c = compare::test::make_case(id, layer, std::move(samples));
  c.info = std::move(info);
  return c;
}

record::RunRecord make_record(const std::string& label, std::vector<record::CaseResult> cases, json environment = json::object(),
                              json canary = nullptr) {
  record::RunRecord r;
  r.label = label;
  r.cases = std::move(cases);
  r.environment = std::move(environment);
  r.canary = std::move(canary);
  return r;
}

// `rounds` records per side of one case, round r's samples around means[r], as `ab` writes them.
std::vector<record::RunRecord> rounds_of(const std::string& label, const std::string& id, const std::string& layer,
                                         const std::vector<double>& means, const std::vector<json>& canaries,
                                         std::uint64_t seed, const json& env = json::object(), const json& info = json::object()) {
  std::vector<record::RunRecord> out;
  for (std::size_t r = 0; r < means.size(); ++r)
    out.push_back(make_record(label, {make_case(id, layer, normal_samples(8, means[r], means[r] * 1e-4, seed + r), info)}, env,
                              r < canaries.size() ? canaries[r] : json(nullptr)));
  return out;
}

// canary::to_json's shape at the start and end of a round: the GEMM at `tflops`, the GPU at `power_w`.
json canary(double tflops, double power_w) {
  const json moment = {
      {"probes",
       {{"bf16_gemm", {{"metric", "tflops"}, {"value", tflops}, {"unit", "TFLOP/s"}, {"better", "higher"}, {"repetitions", {tflops}}}},
        {"cpu_loop", {{"metric", "ns_per_step"}, {"value", 2.0}, {"unit", "ns"}, {"better", "lower"}, {"repetitions", {2.0}}}}}},
      {"telemetry", {{"power_w", {{"mean", power_w}, {"min", power_w}, {"max", power_w}, {"n", 10}}}}},
      {"duration_s", 1.0}};
  return {{"start", moment}, {"end", moment}};
}

std::vector<Finding> causes(std::vector<record::RunRecord> b, std::vector<record::RunRecord> k) {
  return find_causes(compare::compare(std::move(b), std::move(k)));
}

const Finding* find_finding(const std::vector<Finding>& findings, const std::string& title_fragment) {
  for (const auto& f : findings)
    if (f.title.find(title_fragment) != std::string::npos) return &f;
  return nullptr;
}

bool contains(const std::string& s, const std::string& fragment) { return s.find(fragment) != std::string::npos; }

TEST(EvidenceFindings, RecordKeepsTheCanaryAndWarmupSamplesAndOldRecordsLoadWithout) {
  auto r = make_record("native", {make_case("cpu_sum/n=1", "cpu-compute", {1.0, 1.1})}, json::object(), canary(100, 650));
  r.cases[0].warmup_samples = {3.0, 1.2};
  const auto j = record::to_json(r);
  const auto back = record::from_json(j, "r.json");
  EXPECT_EQ(back.canary, r.canary);
  EXPECT_EQ(back.cases[0].warmup_samples, (std::vector<double>{3.0, 1.2}));
  auto old = j;
  old.erase("canary");
  old["cases"][0].erase("warmup_samples");
  const auto read = record::from_json(old, "old.json");
  EXPECT_TRUE(read.canary.is_null());
  EXPECT_TRUE(read.cases[0].warmup_samples.empty());
  EXPECT_FALSE(record::to_json(read).contains("canary"));  // absent stays absent
}

TEST(EvidenceFindings, CanarySlowInTheRoundsWhereTheWorkloadIsSlowIsMachineState) {
  const auto base = rounds_of("native", "matmul/n=1", "gpu-compute", {10, 10, 10, 10}, std::vector<json>(4, canary(100, 650)), 1);
  const auto slow = rounds_of("docker", "matmul/n=1", "gpu-compute", {10, 12, 12, 10},
                              {canary(100, 650), canary(82, 310), canary(82, 310), canary(100, 650)}, 11);
  auto findings = causes(base, slow);
  const auto* f = find_finding(findings, "The machine was slower during candidate rounds 2, 3");
  ASSERT_NE(f, nullptr);
  EXPECT_TRUE(contains(f->evidence, "round 2: bf16_gemm -18.0% (82 vs 100 TFLOP/s), power 310 vs 650 W")) << f->evidence;
  EXPECT_TRUE(contains(f->evidence, "the workload in those rounds +20.0% on average, in the other 2 round(s) +0.0%"))
      << f->evidence;
  EXPECT_TRUE(contains(f->action, "hardware/power state, not the container")) << f->action;
  const auto evidence = evidence_findings(compare::compare(base, slow));
  ASSERT_FALSE(evidence.empty());
  EXPECT_EQ(evidence[0].kind, EvidenceKind::MachineState);
  EXPECT_GE(evidence[0].score, 95);  // above every limit of the environment

  // The same slow rounds with a canary that did not move, or with no canary at all: no such finding.
  const auto steady = rounds_of("docker", "matmul/n=1", "gpu-compute", {10, 12, 12, 10}, std::vector<json>(4, canary(100, 650)), 11);
  EXPECT_EQ(find_finding(causes(base, steady), "The machine was slower"), nullptr);
  const auto none = rounds_of("docker", "matmul/n=1", "gpu-compute", {10, 12, 12, 10}, {}, 11);
  EXPECT_EQ(find_finding(causes(rounds_of("native", "matmul/n=1", "gpu-compute", {10, 10, 10, 10}, {}, 1), none),
                         "The machine was slower"),
            nullptr);
}

TEST(EvidenceFindings, CanarySlowerAcrossTheSideWhileTheWorkloadIsSlowerIsMachineState) {
  // Slower by 1.5% in four rounds (under the 2% threshold) and 6% in two: the workload is slower
  // overall, the canary 10% slower in every round; the rounds do not coincide, the sides do.
  const std::vector<double> means = {10.15, 10.15, 10.15, 10.15, 10.6, 10.6};
  const auto base = rounds_of("native", "matmul/n=1", "gpu-compute", std::vector<double>(6, 10), std::vector<json>(6, canary(100, 650)), 1);
  const auto slow = rounds_of("docker", "matmul/n=1", "gpu-compute", means, std::vector<json>(6, canary(90, 640)), 21);
  const auto findings = causes(base, slow);
  const auto* f = find_finding(findings, "The machine was slower in the candidate's rounds (canary)");
  ASSERT_NE(f, nullptr) << findings[0].title << ": " << findings[0].evidence;
  EXPECT_TRUE(contains(f->evidence, "over 6 vs 6 rounds: bf16_gemm -10.0% (90 vs 100 TFLOP/s), power 640 vs 650 W"))
      << f->evidence;
  EXPECT_TRUE(contains(f->evidence, "the workload moved the same way: matmul/n=1 +")) << f->evidence;
}

json gpu_telemetry(double sm_clock_mhz, double power_w) {
  return {{"summary",
           {{"sm_clock_mhz", {{"mean", sm_clock_mhz}, {"min", sm_clock_mhz}, {"max", sm_clock_mhz}, {"n", 40}}},
            {"power_w", {{"mean", power_w}, {"min", power_w}, {"max", power_w}, {"n", 40}}},
            {"gpu_util_pct", {{"mean", 98.0}, {"min", 90.0}, {"max", 100.0}, {"n", 40}}}}}};
}

TEST(EvidenceFindings, SlowerAtTheSameReportedClockIsAHiddenPowerState) {
  const auto pair = [](double clock_k, double mean_k) {
    auto b = rounds_of("native", "matmul/n=1", "gpu-compute", {10, 10, 10, 10}, {}, 1);
    auto k = rounds_of("docker", "matmul/n=1", "gpu-compute", std::vector<double>(4, mean_k), {}, 11);
    for (auto& r : b) r.cases[0].telemetry = gpu_telemetry(1980, 650);
    for (auto& r : k) r.cases[0].telemetry = gpu_telemetry(clock_k, 310);
    return causes(std::move(b), std::move(k));
  };
  const auto findings = pair(1975, 12.5);
  const auto* f = find_finding(findings, "GPU throughput fell while the reported SM clock stayed the same");
  ASSERT_NE(f, nullptr);
  EXPECT_TRUE(contains(f->evidence, "matmul/n=1 +25.0% with SM clock 1975 vs 1980 MHz (-0.3%), power 310 vs 650 W"))
      << f->evidence;
  EXPECT_TRUE(contains(f->action, "canary")) << f->action;
  // A lower clock explains itself (another finding says so); a case that is not slower has nothing to explain.
  EXPECT_EQ(find_finding(pair(1500, 12.5), "reported SM clock stayed the same"), nullptr);
  EXPECT_EQ(find_finding(pair(1975, 10), "reported SM clock stayed the same"), nullptr);
}

json memory_env(double free_gib, double cached_gib, bool integrated, std::optional<double> cuda_free_gib = std::nullopt) {
  json device = {{"index", 0}, {"compute_capability", "12.1"}, {"integrated", integrated}};
  if (cuda_free_gib) device["memory_free_bytes"] = *cuda_free_gib * kGiB;
  return {{"memory", {{"total_bytes", 128 * kGiB}, {"free_bytes", free_gib * kGiB}, {"cached_bytes", cached_gib * kGiB}}},
          {"cuda", {{"devices", json::array({device})}}}};
}

TEST(EvidenceFindings, LessFreeMemoryOnAnIntegratedGpuNamesThePageCacheAndTheKvCapacity) {
  const auto run = [](const json& env_b, const json& env_k) {
    return causes(rounds_of("native", "llm/m=1", "gpu-llm", {10, 10, 10, 10}, {}, 1, env_b, {{"kv_capacity_tokens", 125000}}),
                  rounds_of("docker", "llm/m=1", "gpu-llm", {13, 13, 13, 13}, {}, 11, env_k, {{"kv_capacity_tokens", 50000}}));
  };
  const auto findings = run(memory_env(100, 5, true), memory_env(59, 60, true));
  const auto* f = find_finding(findings, "Less free memory at the start of the candidate");
  ASSERT_NE(f, nullptr);
  EXPECT_TRUE(contains(f->evidence, "the candidate started with 41.0 GiB less free memory (MemFree 59.0 GiB vs 100.0 GiB in the baseline)"))
      << f->evidence;
  EXPECT_TRUE(contains(f->evidence, "page cache 60.0 GiB in the candidate vs 5.0 GiB in the baseline")) << f->evidence;
  EXPECT_TRUE(contains(f->evidence, "KV capacity (candidate vs baseline): llm/m=1 50,000 vs 125,000 tokens (-60.0%)"))
      << f->evidence;
  EXPECT_TRUE(contains(f->action, "echo 3 > /proc/sys/vm/drop_caches")) << f->action;
  // A discrete GPU: host memory is not the GPU's, so only CUDA's own free memory counts, and only a
  // difference of 10% or more.
  EXPECT_EQ(find_finding(run(memory_env(100, 5, false), memory_env(59, 60, false)), "Less free memory"), nullptr);
  EXPECT_EQ(find_finding(run(memory_env(100, 5, false, 71), memory_env(59, 60, false, 70)), "Less free memory"), nullptr);
  const auto* cuda = find_finding(run(memory_env(100, 5, false, 71), memory_env(59, 60, false, 30)), "Less free memory");
  ASSERT_NE(cuda, nullptr);
  EXPECT_TRUE(contains(cuda->evidence, "41.0 GiB less free memory (CUDA free (cudaMemGetInfo) 30.0 GiB vs 71.0 GiB")) << cuda->evidence;
}

json cpu_env(int fast_allowed, int slow_allowed, const std::string& text) {
  return {{"cpu",
           {{"core_classes",
             {{{"core", "Cortex-X925"}, {"cpus", "0-9"}, {"count", 10}, {"capacity", 1024}, {"max_mhz", 3900}, {"allowed", fast_allowed}},
              {{"core", "Cortex-A725"}, {"cpus", "10-19"}, {"count", 10}, {"capacity", 700}, {"max_mhz", 2800}, {"allowed", slow_allowed}}}},
            {"affinity_classes", text}}}};
}

TEST(EvidenceFindings, FewerFastCoresInTheCandidateIsALimitOnTheCpuLayer) {
  const auto run = [](const json& env_k) {
    return evidence_findings(compare::compare(
        rounds_of("native", "cpu_sum/n=1", "cpu-compute", {10, 10, 10, 10}, {}, 1, cpu_env(10, 0, "10 Cortex-X925")),
        rounds_of("docker", "cpu_sum/n=1", "cpu-compute", {14, 14, 14, 14}, {}, 11, env_k)));
  };
  const auto found = run(cpu_env(5, 5, "5 Cortex-X925 + 5 Cortex-A725"));
  ASSERT_EQ(found.size(), 1u);
  const auto& f = found[0];
  EXPECT_EQ(f.kind, EvidenceKind::Limits);
  EXPECT_EQ(f.finding.title, "Fewer fast cores in the candidate (5 of 10)");
  EXPECT_TRUE(contains(f.finding.evidence, "the candidate ran on 5 Cortex-X925 + 5 Cortex-A725, the baseline on 10 Cortex-X925"))
      << f.finding.evidence;
  EXPECT_TRUE(contains(f.finding.evidence, "CPU-layer cases: cpu_sum/n=1 +40.0% (slower)")) << f.finding.evidence;
  EXPECT_TRUE(contains(f.finding.action, "--cpuset-cpus=0-9")) << f.finding.action;
  EXPECT_GE(f.score, 90);
  EXPECT_TRUE(run(cpu_env(10, 0, "10 Cortex-X925")).empty());  // the same mix: nothing to say
}

json jit_env(bool disabled, const std::string& persists, int files) {
  return {{"jit_caches",
           {{"cuda_cache_disable", disabled ? json("1") : json(nullptr)},
            {"cuda_cache_maxsize", nullptr},
            {"caches",
             {{"cuda_compute_cache",
               {{"path", "/root/.nv/ComputeCache"}, {"exists", true}, {"bytes", files * 1000}, {"files", files},
                {"mount_point", "/"}, {"fstype", "overlay"}, {"persists", persists}}}}}}}};
}

std::vector<record::RunRecord> with_warmup(std::vector<record::RunRecord> rounds, double cold_factor) {
  for (auto& r : rounds) {
    const double steady = r.cases[0].metrics[0].samples[0];
    r.cases[0].warmup_samples = {steady * cold_factor, steady};
  }
  return rounds;
}

TEST(EvidenceFindings, ColdStartOnlyTheCandidatePaysNamesItsCaches) {
  const std::string layer_lost = "container layer (lost when a --rm container ends)";
  const auto run = [&](double cold_k, const json& env_k) {
    return causes(with_warmup(rounds_of("native", "command:vllm", "app", {10, 10, 10, 10}, {}, 1, jit_env(false, "persistent", 3)), 1.1),
                  with_warmup(rounds_of("docker", "command:vllm", "app", {10, 10, 10, 10}, {}, 11, env_k), cold_k));
  };
  const auto findings = run(3.1, jit_env(true, layer_lost, 0));
  const auto* f = find_finding(findings, "A cold start only the candidate pays (JIT caches)");
  ASSERT_NE(f, nullptr);
  EXPECT_TRUE(contains(f->evidence, "command:vllm pays a 3.1x first repetition in the candidate vs 1.1x in the baseline"))
      << f->evidence;
  EXPECT_TRUE(contains(f->evidence, "CUDA_CACHE_DISABLE=1")) << f->evidence;
  EXPECT_TRUE(contains(f->evidence, "cuda_compute_cache (/root/.nv/ComputeCache) not persistent: " + layer_lost)) << f->evidence;
  EXPECT_TRUE(contains(f->action, "unset CUDA_CACHE_DISABLE")) << f->action;
  // The same cold start on both sides, or a cache as good as the baseline's: no such finding.
  EXPECT_EQ(find_finding(run(1.2, jit_env(true, layer_lost, 0)), "A cold start"), nullptr);
  EXPECT_EQ(find_finding(run(3.1, jit_env(false, "persistent", 3)), "A cold start"), nullptr);
}

json engine_info(const std::string& eager, const std::string& kv_tokens) {
  return {{"engine_settings", {{"enforce_eager", eager}, {"kv_cache_tokens", kv_tokens}, {"attention_backend", "FLASH_ATTN"}, {"quantization", nullptr}}}};
}

TEST(EvidenceFindings, EngineSettingsThatDifferRankAboveGenericDifferencesAndLeadTheReportsEnvironment) {
  const json env_b = {{"env_vars", {{"CUDA_LAUNCH_BLOCKING", "0"}}}};
  const json env_k = {{"env_vars", {{"CUDA_LAUNCH_BLOCKING", "1"}}}};
  const auto c = compare::compare(
      rounds_of("native", "command:vllm", "app", {10, 10, 10, 10}, {}, 1, env_b, engine_info("False", "123456")),
      rounds_of("docker", "command:vllm", "app", {13, 13, 13, 13}, {}, 11, env_k, engine_info("True", "53000")));
  const auto findings = find_causes(c);
  const auto* f = find_finding(findings, "The engine ran differently (engine settings)");
  ASSERT_NE(f, nullptr);
  EXPECT_TRUE(contains(f->evidence, "command:vllm: enforce_eager True vs False; kv_cache_tokens 53,000 vs 123,456")) << f->evidence;
  EXPECT_FALSE(contains(f->evidence, "attention_backend")) << f->evidence;
  // The generic difference explains no case by itself: a note (rank 0) after the ranked causes.
  const auto* generic = find_finding(findings, "Also differs: other settings");
  ASSERT_NE(generic, nullptr);
  EXPECT_GT(f->rank, 0);
  EXPECT_EQ(generic->rank, 0);

  const std::string md = report::markdown(c, findings, {});
  const auto list = md.find("Engine settings that differ:\n\n- `command:vllm` enforce_eager: baseline False, candidate True\n"
                            "- `command:vllm` kv_cache_tokens: baseline 123456, candidate 53000\n");
  ASSERT_NE(list, std::string::npos) << md;
  EXPECT_LT(md.find("## Environment differences"), list);
  EXPECT_LT(list, md.find("| `env_vars.CUDA_LAUNCH_BLOCKING` |"));

  const auto same = compare::compare(
      rounds_of("native", "command:vllm", "app", {10, 10, 10, 10}, {}, 1, env_b, engine_info("False", "123456")),
      rounds_of("docker", "command:vllm", "app", {13, 13, 13, 13}, {}, 11, env_k, engine_info("False", "123456")));
  EXPECT_TRUE(engine_setting_differences(same).empty());
  EXPECT_EQ(find_finding(find_causes(same), "The engine ran differently"), nullptr);
  EXPECT_FALSE(contains(report::markdown(same, find_causes(same), {}), "Engine settings that differ"));
}

json coverage_env(bool sass, const std::string& cublas_version) {
  return {{"cuda", {{"devices", json::array({{{"index", 0}, {"compute_capability", "12.1"}}})}}},
          {"libraries",
           {{"coverage",
             json::array({{{"path", "/usr/lib/libfoo.so.1"}, {"version", "1"}, {"summary", sass ? "sm_121 SASS" : "no SASS, compute_90 PTX"},
                           {"sass_for_device", sass}, {"ptx_jit", sass ? json(nullptr) : json("compute_90")}},
                          {{"path", "/usr/lib/libcublas.so." + cublas_version}, {"version", cublas_version},
                           {"summary", "sm_121 SASS"}, {"sass_for_device", true}, {"ptx_jit", nullptr}}})}}}};
}

TEST(EvidenceFindings, LibraryWithoutSassForTheGpuOnOneSideOrBoth) {
  const auto run = [](const json& env_b, const json& env_k) {
    return evidence_findings(compare::compare(rounds_of("native", "matmul/n=1", "gpu-compute", {10, 10, 10, 10}, {}, 1, env_b),
                                              rounds_of("docker", "matmul/n=1", "gpu-compute", {13, 13, 13, 13}, {}, 11, env_k)));
  };
  const auto title = [](const std::vector<EvidenceFinding>& found) -> const EvidenceFinding* {
    for (const auto& f : found)
      if (f.finding.title == "Libraries without kernels built for this GPU") return &f;
    return nullptr;
  };
  const auto one = run(coverage_env(true, "13.1.0.3"), coverage_env(false, "13.1.0.3"));
  const auto* f = title(one);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->kind, EvidenceKind::Stack);
  EXPECT_TRUE(contains(f->finding.evidence, "only in the candidate: libfoo (/usr/lib/libfoo.so.1, loaded by sparkbench) has no "
                                            "SASS for sm_121: its kernels are JIT-compiled from compute_90 PTX at load time"))
      << f->finding.evidence;
  const auto both = run(coverage_env(false, "13.1.0.3"), coverage_env(false, "13.1.0.3"));
  ASSERT_NE(title(both), nullptr);
  EXPECT_TRUE(contains(title(both)->finding.evidence, "both sides: libfoo")) << title(both)->finding.evidence;
  EXPECT_EQ(title(run(coverage_env(true, "13.1.0.3"), coverage_env(true, "13.1.0.3"))), nullptr);
}

TEST(EvidenceFindings, VersionDifferencesOfPackagesAndLibrariesAreAStackChange) {
  const auto info = [](const std::string& torch, const std::string& cublas) {
    return json{{"python_packages", {{"torch", torch}, {"vllm", "0.11.0"}}},
                {"mapped_libraries", json::array({{{"path", "/venv/lib/libcublas.so." + cublas}, {"version", cublas}, {"sass_for_device", true}}})}};
  };
  const auto run = [&](const json& info_k) {
    return find_causes(compare::compare(
        rounds_of("native", "command:vllm", "app", {10, 10, 10, 10}, {}, 1, json::object(), info("2.9.1", "12.8.4.1")),
        rounds_of("docker", "command:vllm", "app", {13, 13, 13, 13}, {}, 11, json::object(), info_k)));
  };
  const auto findings = run(info("2.10.0", "13.1.0.3"));
  const auto* f = find_finding(findings, "Different library and package versions (a stack change, not containerization)");
  ASSERT_NE(f, nullptr);
  EXPECT_TRUE(contains(f->evidence, "candidate vs baseline: torch 2.10.0 vs 2.9.1; libcublas 13.1.0.3 vs 12.8.4.1")) << f->evidence;
  EXPECT_FALSE(contains(f->evidence, "vllm 0.11.0")) << f->evidence;  // the same on both sides
  EXPECT_TRUE(contains(f->evidence, "cases that differ: command:vllm +30.0% (slower)")) << f->evidence;
  EXPECT_EQ(find_finding(run(info("2.9.1", "12.8.4.1")), "Different library and package versions"), nullptr);
}

}  // namespace
}  // namespace sb::diagnose
