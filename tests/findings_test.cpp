// The doctor's reasoning (diagnose::find_causes) on synthetic comparisons shaped like the planted
// causes measured with real containers: one test per rule of docs/diagnosis.md, each a case the
// earlier ranking got wrong.
#include <gtest/gtest.h>

#include "compare/environment_paths.hpp"
#include "comparison_builders.hpp"
#include "diagnose/findings.hpp"
#include "report/report.hpp"

namespace sb::compare {
namespace {

using namespace test;

const std::string kLessCpu = "Less CPU in the candidate: CPU parallelism available (quota, cpuset, affinity, thread variables)";

// The Docker defaults against a native host: a 64 MiB /dev/shm.
json docker_env(json extra = json::object()) {
  json env = {{"shm", {{"size_bytes", 64 * 1048576.0}}}};
  env.merge_patch(extra);
  return env;
}
json native_env(json extra = json::object()) {
  json env = {{"shm", {{"size_bytes", 16 * 1073741824.0}}}};
  env.merge_patch(extra);
  return env;
}

record::CaseResult failed(record::CaseResult c, std::string message) {
  c.status = record::CaseStatus::Failed;
  c.message = std::move(message);
  return c;
}

// Rule 1: `--shm-size 8m` and the 32 MiB shm case fails in the container; the 1 MiB one is the same.
// Before, only comparable cases were evidence, so the answer was "Equivalent ... nothing to fix".
TEST(DoctorRules, ACaseThatFailedOnlyInTheCandidateIsTheFirstFinding) {
  const auto small = normal_samples(20, 5, 0.02, 1), large = normal_samples(20, 40, 0.2, 2);
  const std::string message = "cannot allocate 32 MiB in /dev/shm (8 MiB): No space left on device";
  const auto c = compare_rounds(
      {make_case("shm_bandwidth/size_mib=1", "io-shm", small), make_case("shm_bandwidth/size_mib=32", "io-shm", large)},
      {make_case("shm_bandwidth/size_mib=1", "io-shm", normal_samples(20, 5, 0.02, 3)),
       failed(make_case("shm_bandwidth/size_mib=32", "io-shm", large), message)},
      4, {}, native_env(), json{{"shm", {{"size_bytes", 8 * 1048576.0}}}});
  const auto findings = diagnose::find_causes(c);
  ASSERT_FALSE(findings.empty());
  EXPECT_EQ(findings[0].title, "shm_bandwidth/size_mib=32 failed only in the candidate: " + message);
  EXPECT_TRUE(contains(findings[0].evidence, "failed in the candidate, measured in the baseline")) << findings[0].evidence;
  // The limit that explains it cites the failed case, and the equivalence says the failure remains.
  ASSERT_GE(findings.size(), 2u);
  EXPECT_EQ(findings[1].title, "Smaller /dev/shm in the candidate");
  EXPECT_TRUE(contains(findings[1].evidence, "shm_bandwidth/size_mib=32 failed in the candidate")) << findings[1].evidence;
  const auto* equivalent = find_finding(findings, "Equivalent");
  ASSERT_NE(equivalent, nullptr);
  EXPECT_FALSE(contains(equivalent->action, "nothing to fix for these workloads")) << equivalent->action;
}

// Rule 2: an unplanted control. Docker's 64 MiB /dev/shm differs, memory_bandwidth (which never
// touches /dev/shm) is 13.6% slower, the shm case is not. Before, /dev/shm ranked first.
TEST(DoctorRules, ACauseCitesOnlyTheLayersItCanAffect) {
  const auto memory = normal_samples(20, 11, 0.05, 4), shm = normal_samples(20, 7, 0.03, 5);
  const auto c = compare_rounds({make_case("memory_bandwidth/threads=1", "cpu-memory", memory, Better::Higher),
                                 make_case("shm_bandwidth/size_mib=32", "io-shm", shm, Better::Higher)},
                                {make_case("memory_bandwidth/threads=1", "cpu-memory", scaled(memory, 1 / 1.136), Better::Higher),
                                 make_case("shm_bandwidth/size_mib=32", "io-shm", normal_samples(20, 7, 0.03, 6), Better::Higher)},
                                4, {}, native_env(), docker_env());
  const auto findings = diagnose::find_causes(c);
  ASSERT_FALSE(findings.empty());
  EXPECT_FALSE(contains(findings[0].title, "/dev/shm")) << findings[0].title;
  const auto* shm_finding = find_finding(findings, "Smaller /dev/shm");
  ASSERT_NE(shm_finding, nullptr);
  EXPECT_EQ(shm_finding->rank, 0);  // a note, not a cause
  EXPECT_EQ(shm_finding->title, "Also differs: Smaller /dev/shm in the candidate");
  EXPECT_TRUE(contains(shm_finding->evidence, "no slower or failed case in the layers it can affect (io-shm"))
      << shm_finding->evidence;
  EXPECT_FALSE(contains(shm_finding->evidence, "memory_bandwidth")) << shm_finding->evidence;
  EXPECT_EQ(findings.back().rank, 0);  // notes come after every ranked finding
}

// Rule 3: OPENBLAS_NUM_THREADS=1 / OMP_NUM_THREADS=1 only in the container, matmul_cpu +72% / +104%.
// Before, the thread variables sat in "Other settings" (#3), below /dev/shm.
TEST(DoctorRules, ThreadVariablesAreTheCpuParallelismCauseOfTheCasesThatScale) {
  const auto n512 = normal_samples(20, 8, 0.04, 7), n1024 = normal_samples(20, 60, 0.3, 8);
  const auto syscall = normal_samples(20, 60, 0.3, 9), shm = normal_samples(20, 7, 0.03, 10);
  const json threads = {{"env_vars", {{"OPENBLAS_NUM_THREADS", "1"}, {"OMP_NUM_THREADS", "1"}}}};
  const auto c = compare_rounds({make_case("matmul_cpu/n=512", "cpu-compute", n512),
                                 make_case("matmul_cpu/n=1024", "cpu-compute", n1024),
                                 make_case("syscall/call=getpid", "cpu-syscall", syscall),
                                 make_case("shm_bandwidth/size_mib=32", "io-shm", shm, Better::Higher)},
                                {make_case("matmul_cpu/n=512", "cpu-compute", scaled(n512, 1.72)),
                                 make_case("matmul_cpu/n=1024", "cpu-compute", scaled(n1024, 2.04)),
                                 make_case("syscall/call=getpid", "cpu-syscall", normal_samples(20, 60, 0.3, 11)),
                                 make_case("shm_bandwidth/size_mib=32", "io-shm", normal_samples(20, 7, 0.03, 12), Better::Higher)},
                                4, {}, native_env(), docker_env(threads));
  const auto findings = diagnose::find_causes(c);
  ASSERT_FALSE(findings.empty());
  const auto& top = findings[0];
  EXPECT_EQ(top.title, kLessCpu);
  EXPECT_TRUE(contains(top.evidence, "env_vars.OMP_NUM_THREADS: baseline absent, candidate 1")) << top.evidence;
  EXPECT_TRUE(contains(top.evidence, "env_vars.OPENBLAS_NUM_THREADS: baseline absent, candidate 1")) << top.evidence;
  EXPECT_TRUE(contains(top.evidence, "of the cases that scale with threads, 2 of 2 moved: matmul_cpu/n=512 +72.0%"))
      << top.evidence;
  EXPECT_TRUE(contains(top.action, "thread-count variables")) << top.action;
  const auto* other = find_finding(findings, "other settings");
  EXPECT_TRUE(other == nullptr || !contains(other->evidence, "NUM_THREADS")) << other->evidence;
}

// Rule 4: the H200, `ab --env native --env oci --cpus 0.5`: batch-1 generation +83%, stream launches
// +117%, the GPU idle half the time, the container's own CUDA runtime. Before: "GPU busy less of the
// time" 1st, "Smaller /dev/shm" 2nd, the quota 6th.
TEST(DoctorRules, LaunchBoundCasesSlowingWhileTheGpuIdlesPointAtTheHostSideLimit) {
  auto with_util = [](record::CaseResult r, double util) {
    r.telemetry = telemetry_summary(1980, {});
    r.telemetry["summary"]["gpu_util_pct"]["mean"] = util;
    return r;
  };
  const auto llm = normal_samples(20, 900, 4, 13), launches = normal_samples(20, 5, 0.02, 14),
             gemm = normal_samples(20, 6, 0.03, 15);
  const json quota_native = {{"cgroup", {{"cpu_quota_cpus", nullptr}, {"cpu_quota_unlimited", true}}},
                             {"cuda", {{"runtime_version", "12.8"}}}};
  const json quota_oci = {{"cgroup", {{"cpu_quota_cpus", 0.5}, {"cpu_quota_unlimited", false}}},
                          {"cuda", {{"runtime_version", "13.0"}}}};
  const auto c = compare_rounds(
      {with_util(make_case("llm/batch=1,model=llama-3.2-1b", "gpu-llm", llm), 95),
       with_util(make_case("stream_sync/streams=4", "gpu-launch", launches), 60),
       with_util(make_case("matmul/n=8192", "gpu-compute", gemm), 99)},
      {with_util(make_case("llm/batch=1,model=llama-3.2-1b", "gpu-llm", scaled(llm, 1.83)), 52),
       with_util(make_case("stream_sync/streams=4", "gpu-launch", scaled(launches, 2.17)), 28),
       with_util(make_case("matmul/n=8192", "gpu-compute", normal_samples(20, 6, 0.03, 16)), 99)},
      4, {}, native_env(quota_native), docker_env(quota_oci));
  const auto findings = diagnose::find_causes(c);
  ASSERT_FALSE(findings.empty());
  const auto& top = findings[0];
  EXPECT_EQ(top.title, kLessCpu);
  EXPECT_TRUE(contains(top.evidence, "cgroup.cpu_quota_cpus: baseline absent, candidate 0.5")) << top.evidence;
  EXPECT_TRUE(contains(top.evidence, "launch-bound GPU cases slower while the GPU was busy less of the time"))
      << top.evidence;
  EXPECT_TRUE(contains(top.evidence, "llm/batch=1,model=llama-3.2-1b 52 vs 95 % GPU utilization (-43 points)"))
      << top.evidence;
  const auto* busy = find_finding(findings, "GPU busy less");
  ASSERT_NE(busy, nullptr);
  EXPECT_GT(busy->rank, 1);
  EXPECT_TRUE(contains(busy->evidence, "evidence for the host-side CPU limit")) << busy->evidence;
  const auto* shm = find_finding(findings, "/dev/shm");
  ASSERT_NE(shm, nullptr);
  EXPECT_EQ(shm->rank, 0);
}

// Rule 5: Docker's steady +7.5% on a system call, its seccomp filter and AppArmor profile, and a CPU
// quota. Before, the quota ranked first for the syscall layer.
TEST(DoctorRules, SyscallOverheadGoesToTheSeccompFilterNotTheCpuQuota) {
  const auto getpid = normal_samples(20, 60, 0.2, 17);
  const json native = {{"cgroup", {{"cpu_max", "max 100000"}}},
                       {"security", {{"seccomp_mode", "disabled"}, {"seccomp_filters", 0}, {"apparmor", "unconfined"}}}};
  const json docker = {{"cgroup", {{"cpu_max", "200000 100000"}}},
                       {"security", {{"seccomp_mode", "filter"}, {"seccomp_filters", 1}, {"apparmor", "docker-default (enforce)"}}}};
  const auto c = compare_rounds({make_case("syscall/call=getpid", "cpu-syscall", getpid)},
                                {make_case("syscall/call=getpid", "cpu-syscall", scaled(getpid, 1.075))}, 4, {},
                                native_env(native), docker_env(docker));
  const auto findings = diagnose::find_causes(c);
  ASSERT_FALSE(findings.empty());
  const auto& top = findings[0];
  EXPECT_EQ(top.title, "Different seccomp filter or security profile (seccomp, AppArmor, SELinux)");
  EXPECT_TRUE(contains(top.evidence, "security.seccomp_mode: baseline disabled, candidate filter")) << top.evidence;
  EXPECT_TRUE(contains(top.evidence, "cpu-syscall cases 7.5% slower")) << top.evidence;
  const auto* cpu = find_finding(findings, "Less CPU");
  ASSERT_NE(cpu, nullptr);
  EXPECT_EQ(cpu->rank, 0);  // the quota explains no case here
  // "seccomp" contains "ecc": the security profile is the container's, not a GPU setting.
  EXPECT_EQ(find_finding(findings, "GPU settings"), nullptr);
  EXPECT_EQ(classify("security.seccomp_filters"), Aspect::Container);
}

// Rule 6: the answer ends with one line that splits the slower cases between the causes.
TEST(DoctorRules, TheAttributionLineCountsEachWorseCaseUnderTheCauseThatCitesIt) {
  const auto scaling = normal_samples(20, 2.0e8, 2.0e6, 18), matmul = normal_samples(20, 8, 0.04, 19),
             threads = normal_samples(20, 30, 0.15, 20), getpid = normal_samples(20, 60, 0.2, 21),
             clock = normal_samples(20, 25, 0.1, 22);
  const json quota = {{"cgroup", {{"cpu_max", "50000 100000"}}}};
  const auto c = compare_rounds({make_case("cpu_scaling/threads=all", "cpu-scaling", scaling, Better::Higher),
                                 make_case("matmul_cpu/n=512", "cpu-compute", matmul),
                                 make_case("thread_spawn/threads=8", "cpu-threads", threads),
                                 make_case("syscall/call=getpid", "cpu-syscall", getpid),
                                 make_case("syscall/call=clock_gettime", "cpu-syscall", clock)},
                                {make_case("cpu_scaling/threads=all", "cpu-scaling", scaled(scaling, 0.5), Better::Higher),
                                 make_case("matmul_cpu/n=512", "cpu-compute", scaled(matmul, 2.0)),
                                 make_case("thread_spawn/threads=8", "cpu-threads", scaled(threads, 1.5)),
                                 make_case("syscall/call=getpid", "cpu-syscall", scaled(getpid, 1.08)),
                                 make_case("syscall/call=clock_gettime", "cpu-syscall", scaled(clock, 1.07))},
                                4, {}, json{{"cgroup", {{"cpu_max", "max 100000"}}}}, quota);
  const auto findings = diagnose::find_causes(c);
  ASSERT_FALSE(findings.empty());
  EXPECT_EQ(findings[0].title, kLessCpu);
  EXPECT_EQ(findings[0].category, diagnose::Category::Limits);
  EXPECT_EQ(findings[0].cites, (std::vector<std::string>{"cpu_scaling/threads=all", "matmul_cpu/n=512", "thread_spawn/threads=8"}));
  const std::string line = diagnose::attribution(c, findings);
  EXPECT_EQ(line, "of 5 slower cases: 3 explained by resource limits (Less CPU in the candidate), 2 unexplained");
  const auto md = report::markdown(c, findings, {});
  EXPECT_TRUE(contains(md, "**Attribution:** " + line)) << md;
  // No case worse in the candidate: no line.
  const auto same = compare_rounds({make_case("matmul_cpu/n=512", "cpu-compute", matmul)},
                                   {make_case("matmul_cpu/n=512", "cpu-compute", normal_samples(20, 8, 0.04, 23))});
  EXPECT_EQ(diagnose::attribution(same, diagnose::find_causes(same)), "");
}

// A failed case counts among the worse ones, under the limit that cites it.
TEST(DoctorRules, TheAttributionCountsAFailedCaseUnderTheLimitThatExplainsIt) {
  const auto large = normal_samples(20, 40, 0.2, 24);
  const auto c = compare_rounds({make_case("shm_bandwidth/size_mib=32", "io-shm", large)},
                                {failed(make_case("shm_bandwidth/size_mib=32", "io-shm", large), "no space")}, 4, {},
                                native_env(), docker_env());
  const auto findings = diagnose::find_causes(c);
  EXPECT_EQ(diagnose::attribution(c, findings),
            "of 1 slower or failed case: 1 explained by resource limits (Smaller /dev/shm in the candidate)");
}

}  // namespace
}  // namespace sb::compare
