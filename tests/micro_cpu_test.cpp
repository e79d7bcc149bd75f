// The CPU/OS micro-benchmarks (src/workloads/{syscall,thread_spawn,memory_bandwidth,page_faults,
// cpu_scaling,file_read,shm_bandwidth}): each builds at small sizes, returns every declared metric
// finite and positive, and fails with a message that says what to do.
#include <sys/statvfs.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <map>
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "test_support.hpp"

#include "core/error.hpp"
#include "core/temp_file.hpp"
#include "workload/workload.hpp"
#include "workloads/cpu_scaling/cgroup_cpu_quota.hpp"

namespace sb {
namespace {

// Every parameter at its first default, then `overrides`, checked as a plan checks them.
Params params_for(const Workload& w, const std::map<std::string, std::string>& overrides) {
  Params p;
  for (const auto& spec : w.params) p.set(spec.name, spec.defaults.at(0));
  for (const auto& [name, value] : overrides) p.set(name, validate_param(w, find_param(w, name), value));
  return p;
}

std::unique_ptr<CaseRun> make_case(const std::string& name, const std::map<std::string, std::string>& overrides = {}) {
  const Workload& w = Registry::instance().get(name);
  return w.make(params_for(w, overrides), CaseContext{});
}

// One repetition; checks that every declared metric is there, finite and positive.
Measurement run_checked(const std::string& name, CaseRun& c) {
  const Measurement m = test::measure_once(Registry::instance().get(name), c);
  for (const auto& spec : Registry::instance().get(name).metrics) {
    const auto it = m.find(spec.name);
    if (it == m.end()) {
      ADD_FAILURE() << name << " did not report " << spec.name;
      continue;
    }
    EXPECT_TRUE(std::isfinite(it->second)) << name << "." << spec.name;
    EXPECT_GT(it->second, 0) << name << "." << spec.name;
  }
  EXPECT_EQ(m.size(), Registry::instance().get(name).metrics.size()) << name << " reported undeclared metrics";
  return m;
}

std::size_t dev_shm_free_bytes() {
  struct statvfs vfs {};
  if (statvfs("/dev/shm", &vfs) != 0) return 0;
  return static_cast<std::size_t>(vfs.f_bavail) * vfs.f_frsize;
}

using sb::test::expect_error;

TEST(MicroCpu, RegisteredWithHelpAndKnownLayer) {
  const std::set<std::string> layers = {"cpu-syscall", "cpu-threads", "cpu-memory", "cpu-scaling",
                                        "io-file",     "io-shm",      "cpu-pagefault"};
  for (const char* name : {"syscall", "thread_spawn", "memory_bandwidth", "page_faults", "cpu_scaling",
                           "file_read", "shm_bandwidth"}) {
    const Workload& w = Registry::instance().get(name);
    EXPECT_EQ(w.device, Device::Cpu) << name;
    EXPECT_TRUE(layers.count(w.layer)) << name << " has layer " << w.layer;
    EXPECT_GT(w.help.size(), 100u) << name << ": help should say what it isolates and what a regression means";
  }
}

TEST(MicroCpu, SyscallLatencyIsPlausible) {
  for (const char* call : {"getppid", "clock_gettime"}) {
    auto c = make_case("syscall", {{"call", call}});
    const Measurement m = run_checked("syscall", *c);
    EXPECT_LT(m.at("latency_ns"), 100'000) << call;  // 100 us: far above any real system's cost
    const auto measured = test::measure(Registry::instance().get("syscall"), *c);
    EXPECT_GT(measured.info.at("operations_per_repetition").get<std::uint64_t>(), 1u) << call;
  }
  EXPECT_THROW(make_case("syscall", {{"call", "fork"}}), Error);
}

TEST(MicroCpu, ThreadSpawnReportsLatency) {
  auto c = make_case("thread_spawn");
  const Measurement m = run_checked("thread_spawn", *c);
  EXPECT_LT(m.at("latency_us"), 100'000);
  // The harness sizes the inner loop of threads to about 20 ms: many threads, never one.
  const auto measured = test::measure(Registry::instance().get("thread_spawn"), *c);
  EXPECT_GT(measured.info.at("operations_per_repetition").get<std::uint64_t>(), 1u);
}

TEST(MicroCpu, MemoryBandwidthVerifiesTriad) {
  auto c = make_case("memory_bandwidth", {{"size_mib", "24"}, {"threads", "2"}});
  run_checked("memory_bandwidth", *c);
  const auto info = c->info();
  EXPECT_EQ(info.at("threads"), 2);
  EXPECT_EQ(info.at("elements_per_array"), 24u * 1024 * 1024 / 24);
  EXPECT_LE(info.at("max_relative_error").get<double>(), 1e-12);
  EXPECT_THROW(make_case("memory_bandwidth", {{"threads", "-1"}}), Error);
}

TEST(MicroCpu, PageFaultsSeeFaults) {
  auto c = make_case("page_faults", {{"size_mib", "16"}});
  run_checked("page_faults", *c);
  const auto info = c->info();
  const auto pages = info.at("pages_touched").get<long>();
  EXPECT_EQ(pages, 16 * 1024 * 1024 / sysconf(_SC_PAGESIZE));
  // With MADV_NOHUGEPAGE every touched page is a fault of its own.
  EXPECT_GE(info.at("minor_faults_last_repetition").get<long>(), pages * 9 / 10);
  // Every repetition touches one fresh mapping of size_mib, and the rate counts its faults.
  const auto measured = test::measure(Registry::instance().get("page_faults"), *c);
  EXPECT_EQ(measured.info.at("operations_per_repetition").get<std::uint64_t>(), 1u);
  const Measurement& m = measured.repetitions.front();
  EXPECT_NEAR(m.at("faults_per_s") * m.at("ns_per_fault"), 1e9, 1e-6 * 1e9);
}

TEST(MicroCpu, CpuScalingPerThreadRatesAgreeInOrder) {
  auto one = make_case("cpu_scaling", {{"threads", "1"}});
  auto all = make_case("cpu_scaling", {{"threads", "all"}});
  const double r1 = run_checked("cpu_scaling", *one).at("per_thread_ops_per_s");
  const Measurement mall = run_checked("cpu_scaling", *all);
  const double rall = mall.at("per_thread_ops_per_s");
  // Same kernel, same core type: only sharing (SMT, other processes, a quota) separates them,
  // which on a loaded 2-core test machine can be a few times but not ten.
  EXPECT_GT(rall / r1, 0.1);
  EXPECT_LT(rall / r1, 10.0);
  const auto info = all->info();
  EXPECT_EQ(info.at("threads"), info.at("affinity_cpus"));
  EXPECT_NEAR(mall.at("ops_per_s"), rall * info.at("threads").get<int>(), 1e-6 * mall.at("ops_per_s"));
  EXPECT_TRUE(info.contains("cgroup_cpu_quota_cpus"));
  // Steps per thread, sized to about 100 ms of one thread's chain.
  EXPECT_GT(test::measure(Registry::instance().get("cpu_scaling"), *all).info.at("operations_per_repetition"), 1u);
  EXPECT_THROW(make_case("cpu_scaling", {{"threads", "0"}}), Error);
}

TEST(MicroCpu, CgroupCpuQuotaParsing) {
  // The formats are those of the kernel's Documentation/admin-guide/cgroup-v2.rst (cpu.max:
  // "$MAX $PERIOD", MAX may be "max") and cgroup-v1 CFS bandwidth (cfs_quota_us = -1: no limit).
  EXPECT_DOUBLE_EQ(parse_cgroup_v2_cpu_max("50000 100000").value(), 0.5);
  EXPECT_DOUBLE_EQ(parse_cgroup_v2_cpu_max("200000 100000\n").value(), 2.0);
  EXPECT_FALSE(parse_cgroup_v2_cpu_max("max 100000").has_value());
  EXPECT_THROW(parse_cgroup_v2_cpu_max("garbage"), std::logic_error);
  EXPECT_FALSE(cgroup_v1_cpus(-1, 100000).has_value());
  EXPECT_DOUBLE_EQ(cgroup_v1_cpus(150000, 100000).value(), 1.5);
}

TEST(MicroCpu, FileReadWarmAndColdRemoveTheirTempFile) {
  for (const char* cache : {"warm", "cold"}) {
    std::string path;
    {
      auto c = make_case("file_read", {{"size_mib", "8"}, {"cache", cache}});
      run_checked("file_read", *c);
      // One read per repetition: with cache=cold, each follows its own drop.
      EXPECT_EQ(test::measure(Registry::instance().get("file_read"), *c).info.at("operations_per_repetition"), 1u);
      const auto info = c->info();
      path = info.at("path").get<std::string>();
      EXPECT_TRUE(std::filesystem::exists(path));
      EXPECT_EQ(info.at("bytes"), 8u * 1024 * 1024);
      if (std::string(cache) == "cold") {
        EXPECT_TRUE(info.contains("cold_effective"));  // true or false, never absent
      }
    }
    EXPECT_FALSE(std::filesystem::exists(path)) << path << " was left behind";
  }
}

TEST(MicroCpu, FileReadOfAUserPathNeverWritesIt) {
  const std::string path = ::testing::TempDir() + "sparkbench-micro-user-file";
  {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    ASSERT_NE(f, nullptr);
    for (int i = 0; i < 300000; ++i) std::fputc(i * 7 + 1, f);
    std::fclose(f);
  }
  const auto before = std::filesystem::last_write_time(path);
  {
    auto c = make_case("file_read", {{"path", path}, {"cache", "warm"}});
    run_checked("file_read", *c);
    EXPECT_EQ(c->info().at("bytes"), 300000u);
    EXPECT_EQ(c->info().at("temporary"), false);
  }
  EXPECT_TRUE(std::filesystem::exists(path));
  EXPECT_EQ(std::filesystem::last_write_time(path), before);
  std::filesystem::remove(path);
}

TEST(MicroCpu, FileReadOfAMissingPathNamesIt) {
  const std::string missing = "/nonexistent/sparkbench/model.safetensors";
  const Error e = expect_error([&] { make_case("file_read", {{"path", missing}}); });
  EXPECT_NE(std::string(e.what()).find(missing), std::string::npos) << e.what();
  const Error d = expect_error([&] { make_case("file_read", {{"dir", "/nonexistent/dir"}, {"size_mib", "1"}}); });
  EXPECT_NE(std::string(d.what()).find("/nonexistent/dir"), std::string::npos) << d.what();
}

TEST(MicroCpu, ShmBandwidthRunsAndCleansUp) {
  std::string path;
  {
    auto c = make_case("shm_bandwidth", {{"size_mib", "4"}});
    run_checked("shm_bandwidth", *c);
    const auto info = c->info();
    EXPECT_GT(info.at("shm_size_bytes").get<std::size_t>(), 0u);
    path = info.at("path").get<std::string>();
    EXPECT_TRUE(std::filesystem::exists(path));
  }
  EXPECT_FALSE(std::filesystem::exists(path)) << path << " was left behind";
}

TEST(MicroCpu, ShmBandwidthLargerThanDevShmSaysHowToFixIt) {
  const std::size_t free_mib = dev_shm_free_bytes() / (1024 * 1024);
  if (free_mib == 0) GTEST_SKIP() << "/dev/shm is absent or full here";
  const Error e = expect_error([&] { make_case("shm_bandwidth", {{"size_mib", std::to_string(free_mib + 1)}}); });
  EXPECT_NE(std::string(e.what()).find("/dev/shm"), std::string::npos) << e.what();
  EXPECT_NE(e.fix().find("--shm-size"), std::string::npos) << e.fix();
}

TEST(MicroCpu, TempFileIsRemovedWhenAnExceptionUnwinds) {
  std::string path;
  try {
    TempFile file(::testing::TempDir(), "sparkbench-micro-");
    path = file.path();
    ASSERT_TRUE(std::filesystem::exists(path));
    throw std::runtime_error("unwind");
  } catch (const std::runtime_error&) {
  }
  EXPECT_FALSE(path.empty());
  EXPECT_FALSE(std::filesystem::exists(path));
}

}  // namespace
}  // namespace sb
