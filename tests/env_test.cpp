#include <sched.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include <gtest/gtest.h>

#include "core/version.hpp"
#include "env/environment.hpp"
#include "env/readers.hpp"
#include "fatbin/mapped_libraries.hpp"

namespace sb::env {
namespace {

using Kind = Limit::Kind;
namespace fs = std::filesystem;

TEST(CgroupLimits, CpuMaxV2) {
  const Limit half = parse_cpu_max("50000 100000\n");
  EXPECT_EQ(half.kind, Kind::Value);
  EXPECT_DOUBLE_EQ(half.value, 0.5);
  EXPECT_DOUBLE_EQ(parse_cpu_max("250000 100000").value, 2.5);
  EXPECT_EQ(parse_cpu_max("max 100000\n").kind, Kind::Unlimited);
  EXPECT_EQ(parse_cpu_max("").kind, Kind::Invalid);
  EXPECT_EQ(parse_cpu_max("lots 100000").kind, Kind::Invalid);
  EXPECT_EQ(parse_cpu_max("50000 0").kind, Kind::Invalid);
}

TEST(CgroupLimits, CfsQuotaV1) {
  EXPECT_EQ(parse_cfs_quota("-1\n", "100000\n").kind, Kind::Unlimited);
  const Limit two = parse_cfs_quota("200000", "100000");
  EXPECT_EQ(two.kind, Kind::Value);
  EXPECT_DOUBLE_EQ(two.value, 2.0);
  EXPECT_EQ(parse_cfs_quota("", "100000").kind, Kind::Invalid);
}

TEST(CgroupLimits, MemoryAndPids) {
  EXPECT_EQ(parse_memory_limit("max\n").kind, Kind::Unlimited);  // v2
  // v1's "no limit": PAGE_COUNTER_MAX pages of 4 KiB (this dev machine's memory.limit_in_bytes).
  EXPECT_EQ(parse_memory_limit("9223372036854771712\n").kind, Kind::Unlimited);
  const Limit eight_gib = parse_memory_limit("8589934592\n");
  EXPECT_EQ(eight_gib.kind, Kind::Value);
  EXPECT_DOUBLE_EQ(eight_gib.value, 8589934592.0);
  EXPECT_EQ(parse_memory_limit("junk").kind, Kind::Invalid);
  EXPECT_EQ(parse_pids_max("max").kind, Kind::Unlimited);
  EXPECT_DOUBLE_EQ(parse_pids_max("4096\n").value, 4096.0);

  const Limit unl{Kind::Unlimited, 0}, bad{}, small{Kind::Value, 1}, big{Kind::Value, 2};
  EXPECT_DOUBLE_EQ(tighter(big, small).value, 1);
  EXPECT_EQ(tighter(unl, big).kind, Kind::Value);
  EXPECT_EQ(tighter(bad, unl).kind, Kind::Unlimited);
  EXPECT_EQ(tighter(bad, bad).kind, Kind::Invalid);
}

TEST(CpuList, ParsesRangesAndFormatsBack) {
  const auto cpus = parse_cpu_list("0-3,8,10-11\n");
  ASSERT_TRUE(cpus);
  EXPECT_EQ(cpus->size(), 7u);
  EXPECT_EQ(*cpus, (std::vector<int>{0, 1, 2, 3, 8, 10, 11}));
  EXPECT_EQ(format_cpu_list(*cpus), "0-3,8,10-11");
  EXPECT_EQ(parse_cpu_list("5")->size(), 1u);
  EXPECT_TRUE(parse_cpu_list("")->empty());
  EXPECT_FALSE(parse_cpu_list("3-1"));
  EXPECT_FALSE(parse_cpu_list("a-b"));
  EXPECT_EQ(format_cpu_list({}), "");
}

TEST(ProcCgroup, V1AndV2Lines) {
  // This dev machine (v1 hybrid) and a v2 host running a systemd session.
  const auto v1 = parse_proc_cgroup(
      "9:name=systemd:/\n4:memory:/process_api/38da4a\n2:cpu,cpuacct:/docker/abc\n0::/\n");
  ASSERT_EQ(v1.size(), 4u);
  EXPECT_EQ(v1[1].hierarchy, 4);
  EXPECT_EQ(v1[1].controllers, std::vector<std::string>{"memory"});
  EXPECT_EQ(v1[1].path, "/process_api/38da4a");
  EXPECT_EQ(v1[2].controllers, (std::vector<std::string>{"cpu", "cpuacct"}));
  EXPECT_TRUE(v1[3].controllers.empty());

  const auto v2 = parse_proc_cgroup("0::/user.slice/user-1000.slice/session-3.scope\n");
  ASSERT_EQ(v2.size(), 1u);
  EXPECT_EQ(v2[0].hierarchy, 0);
  EXPECT_TRUE(v2[0].controllers.empty());
  EXPECT_EQ(v2[0].path, "/user.slice/user-1000.slice/session-3.scope");
}

constexpr const char* kHybridMountinfo =
    "22 27 0:21 / /proc rw,relatime - proc proc rw\n"
    "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
    "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
    "40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd\n"
    "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";
constexpr const char* kV2Mountinfo =
    "35 24 0:30 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 "
    "rw,nsdelegate,memory_recursiveprot\n";

TEST(CgroupMounts, VersionDetection) {
  const auto hybrid = parse_cgroup_mounts(kHybridMountinfo);
  ASSERT_EQ(hybrid.size(), 4u);  // /proc is no cgroup
  EXPECT_EQ(hybrid[0].mount_point, "/sys/fs/cgroup/cpu");
  EXPECT_EQ(hybrid[0].options, (std::vector<std::string>{"rw", "cpu"}));
  EXPECT_EQ(cgroup_version(hybrid), "hybrid");
  EXPECT_EQ(cgroup_version(parse_cgroup_mounts(kV2Mountinfo)), "2");
  EXPECT_EQ(cgroup_version(parse_cgroup_mounts(
                "32 31 0:29 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu,cpuacct\n")),
            "1");
  // v2 host that keeps a name=systemd v1 hierarchy for old containers: still v2.
  EXPECT_EQ(cgroup_version(parse_cgroup_mounts(
                std::string(kV2Mountinfo) +
                "50 35 0:40 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw,name=systemd\n")),
            "2");
  EXPECT_FALSE(cgroup_version({}));
}

TEST(CgroupMounts, ResolveControllerDirectory) {
  const auto hybrid = parse_cgroup_mounts(kHybridMountinfo);
  const auto lines = parse_proc_cgroup("4:memory:/process_api/38da4a\n1:cpu:/\n0::/\n");
  const auto mem = resolve_cgroup_dir(lines, hybrid, "memory");
  ASSERT_TRUE(mem);
  EXPECT_TRUE(mem->v1);
  EXPECT_EQ(mem->dir, "/sys/fs/cgroup/memory/process_api/38da4a");
  EXPECT_EQ(mem->mount_point, "/sys/fs/cgroup/memory");
  EXPECT_EQ(resolve_cgroup_dir(lines, hybrid, "cpu")->dir, "/sys/fs/cgroup/cpu");
  // pids has no v1 hierarchy here: falls back to the v2 one.
  const auto pids = resolve_cgroup_dir(lines, hybrid, "pids");
  ASSERT_TRUE(pids);
  EXPECT_FALSE(pids->v1);
  EXPECT_EQ(pids->dir, "/sys/fs/cgroup/unified");

  // Docker on v1 without a cgroup namespace: the mount shows the container's own directory.
  const auto docker = parse_cgroup_mounts(
      "35 31 0:32 /docker/abc /sys/fs/cgroup/memory ro - cgroup cgroup rw,memory\n");
  EXPECT_EQ(resolve_cgroup_dir(parse_proc_cgroup("4:memory:/docker/abc\n"), docker, "memory")->dir,
            "/sys/fs/cgroup/memory");

  const auto v2 = parse_cgroup_mounts(kV2Mountinfo);
  EXPECT_EQ(resolve_cgroup_dir(parse_proc_cgroup("0::/\n"), v2, "memory")->dir, "/sys/fs/cgroup");
  EXPECT_EQ(resolve_cgroup_dir(parse_proc_cgroup("0::/system.slice/x.service\n"), v2, "cpu")->dir,
            "/sys/fs/cgroup/system.slice/x.service");
}

void write(const fs::path& file, const std::string& text) {
  fs::create_directories(file.parent_path());
  std::ofstream(file) << text;
}

// A mountinfo line mounting `root` of a hierarchy at `point`.
std::string fmt_mount(const fs::path& point, const std::string& fstype, const std::string& options,
                      const std::string& root = "/") {
  return "35 24 0:30 " + root + " " + point.string() + " rw,relatime - " + fstype + " " + fstype +
         " " + options + "\n";
}

class CgroupTree : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("sparkbench_cgroup_test_" + std::to_string(getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
  }
  void TearDown() override { fs::remove_all(root_); }
  fs::path root_;
};

TEST_F(CgroupTree, V2TightestAncestorLimits) {
  // A v2 hierarchy: the parent caps memory at 1 GiB, the process's own cgroup says "max".
  write(root_ / "parent/memory.max", "1073741824\n");
  write(root_ / "parent/cpu.max", "max 100000\n");
  write(root_ / "parent/pids.max", "max\n");
  write(root_ / "parent/job/memory.max", "max\n");
  write(root_ / "parent/job/cpu.max", "50000 100000\n");
  write(root_ / "parent/job/pids.max", "max\n");
  write(root_ / "cpuset.cpus.effective", "0-3,8,10-11\n");  // only the root has cpuset enabled
  const auto mounts = parse_cgroup_mounts(fmt_mount(root_, "cgroup2", "rw,nsdelegate"));
  const nlohmann::json j = cgroup_section(parse_proc_cgroup("0::/parent/job\n"), mounts);

  EXPECT_EQ(j["version"], "2");
  EXPECT_EQ(j["path"], "/parent/job");
  EXPECT_DOUBLE_EQ(j["cpu_quota_cpus"].get<double>(), 0.5);
  EXPECT_EQ(j["cpu_quota_unlimited"], false);
  EXPECT_EQ(j["memory_limit_bytes"], 1073741824ULL);
  EXPECT_EQ(j["memory_limit_bytes_set_at"], (root_ / "parent").string());
  EXPECT_EQ(j["memory_unlimited"], false);
  EXPECT_TRUE(j["pids_limit"].is_null());
  EXPECT_EQ(j["pids_unlimited"], true);
  EXPECT_EQ(j["cpuset_effective_cpus"], "0-3,8,10-11");
  EXPECT_EQ(j["cpuset_effective_count"], 7);
}

TEST_F(CgroupTree, V1UnlimitedAndMissingFiles) {
  write(root_ / "memory/memory.limit_in_bytes", "9223372036854771712\n");
  write(root_ / "cpu/cpu.cfs_quota_us", "-1\n");
  write(root_ / "cpu/cpu.cfs_period_us", "100000\n");
  const std::string mountinfo =
      fmt_mount(root_ / "memory", "cgroup", "rw,memory", "/docker/abc") +
      fmt_mount(root_ / "cpu", "cgroup", "rw,cpu,cpuacct", "/docker/abc");
  const nlohmann::json j = cgroup_section(
      parse_proc_cgroup("4:memory:/docker/abc\n2:cpu,cpuacct:/docker/abc\n"),
      parse_cgroup_mounts(mountinfo));
  EXPECT_EQ(j["version"], "1");
  EXPECT_TRUE(j["memory_limit_bytes"].is_null());
  EXPECT_EQ(j["memory_unlimited"], true);
  EXPECT_TRUE(j["cpu_quota_cpus"].is_null());
  EXPECT_EQ(j["cpu_quota_unlimited"], true);
  EXPECT_EQ(j["paths"]["cpu,cpuacct"], "/docker/abc");
  // No cpuset or pids hierarchy: unknown, not unlimited.
  EXPECT_TRUE(j["cpuset_effective_cpus"].is_null());
  EXPECT_TRUE(j["pids_unlimited"].is_null());
}

TEST(OsRelease, ParsesQuotedValues) {
  const auto v = parse_key_value_lines(
      "PRETTY_NAME=\"Ubuntu 24.04.1 LTS\"\nNAME=\"Ubuntu\"\nVERSION_ID=\"24.04\"\n"
      "# comment\nID=ubuntu\nID_LIKE=debian\n\n");
  EXPECT_EQ(v.at("PRETTY_NAME"), "Ubuntu 24.04.1 LTS");
  EXPECT_EQ(v.at("VERSION_ID"), "24.04");
  EXPECT_EQ(v.at("ID"), "ubuntu");
  EXPECT_FALSE(v.contains("# comment"));
}

TEST(SysfsChoice, TransparentHugePages) {
  EXPECT_EQ(parse_bracket_choice("[always] madvise never\n"), "always");
  EXPECT_EQ(parse_bracket_choice("always defer defer+madvise [madvise] never"), "madvise");
  EXPECT_FALSE(parse_bracket_choice("never"));
}

TEST(Meminfo, BytesFromKilobytesAndCounts) {
  const auto m = parse_meminfo(
      "MemTotal:       16318480 kB\nMemAvailable:    9000000 kB\nHugePages_Total:       4\n"
      "Hugepagesize:       2048 kB\n");
  EXPECT_EQ(m.at("MemTotal"), 16318480ULL * 1024);
  EXPECT_EQ(m.at("HugePages_Total"), 4u);
  EXPECT_EQ(m.at("Hugepagesize"), 2048u * 1024);
  EXPECT_EQ(parse_meminfo("Node 0 MemTotal:        5073112 kB\n").at("MemTotal"), 5073112ULL * 1024);
}

TEST(CpuInfo, ModelOnX86AndArm) {
  EXPECT_EQ(parse_cpu_model("processor\t: 0\nmodel name\t: AMD EPYC 9654 96-Core Processor\n"),
            "AMD EPYC 9654 96-Core Processor");
  EXPECT_EQ(parse_cpu_model("processor\t: 0\nCPU implementer\t: 0x41\nCPU part\t: 0xd85\n"
                            "processor\t: 1\nCPU implementer\t: 0x41\nCPU part\t: 0xd87\n"),
            "arm implementer 0x41 part 0xd85");
  EXPECT_FALSE(parse_cpu_model(""));
  EXPECT_EQ(count_values({"performance", "performance", "powersave"}),
            nlohmann::json({{"performance", 2}, {"powersave", 1}}));
}

TEST(Container, NoEvidenceMeansNative) {
  ContainerInputs in;
  in.cgroup_paths = {"/user.slice/user-1000.slice/session-3.scope"};
  in.env = {{"PATH", "/usr/bin"}, {"APPTAINER_CACHEDIR", "/scratch/cache"},
            {"SPARKBENCH_LAUNCHER", "native"}};
  const auto j = detect_container(in);
  EXPECT_EQ(j["detected"], false);
  EXPECT_TRUE(j["runtime"].is_null());
  EXPECT_TRUE(j["evidence"].empty());
}

TEST(Container, DockerFromDockerenvAndCgroup) {
  ContainerInputs in;
  in.dockerenv = true;
  in.cgroup_paths = {"/docker/3f2a"};
  const auto j = detect_container(in);
  EXPECT_EQ(j["detected"], true);
  EXPECT_EQ(j["runtime"], "docker");
  EXPECT_EQ(j["runtime_source"], "/.dockerenv");
  EXPECT_EQ(j["evidence"].size(), 2u);
}

TEST(Container, PodmanFromContainerenv) {
  ContainerInputs in;
  in.containerenv = true;
  in.containerenv_text = "engine=\"podman-4.9.3\"\nname=\"bench\"\nimage=\"nvcr.io/nvidia/pytorch:25.01-py3\"\n";
  in.env = {{"container", "podman"}};
  in.cgroup_paths = {"/machine.slice/libpod-9f1c.scope/container"};
  const auto j = detect_container(in);
  EXPECT_EQ(j["runtime"], "podman");
  EXPECT_EQ(j["runtime_source"], "/run/.containerenv");
  EXPECT_EQ(j["image"], "nvcr.io/nvidia/pytorch:25.01-py3");
  EXPECT_EQ(j["evidence"].size(), 3u);
}

TEST(Container, LauncherNameWinsAndApptainerVarsCount) {
  ContainerInputs in;
  in.env = {{"SPARKBENCH_LAUNCHER", "apptainer"}, {"APPTAINER_CONTAINER", "/img/bench.sif"},
            {"SINGULARITY_CONTAINER", "/img/bench.sif"}};
  const auto j = detect_container(in);
  EXPECT_EQ(j["runtime"], "apptainer");
  EXPECT_EQ(j["runtime_source"], "SPARKBENCH_LAUNCHER");
  EXPECT_EQ(j["evidence"].size(), 3u);

  ContainerInputs k8s;
  k8s.cgroup_paths = {"/kubepods/besteffort/pod12/abc"};
  EXPECT_EQ(detect_container(k8s)["runtime"], "kubernetes");
}

TEST(Names, EnvVarsAndLibraries) {
  for (const char* n : {"CUDA_VISIBLE_DEVICES", "NVIDIA_DRIVER_CAPABILITIES", "OMP_NUM_THREADS",
                        "LD_LIBRARY_PATH", "PATH", "NCCL_DEBUG", "TLLM_LOG_LEVEL", "SPARKBENCH_LAUNCHER"})
    EXPECT_TRUE(is_relevant_env_var(n)) << n;
  for (const char* n : {"HOME", "PATHEXT", "MY_CUDA_HOME", "LD_BIND_NOW"})
    EXPECT_FALSE(is_relevant_env_var(n)) << n;

  // The snapshot's filter is fatbin's list of CUDA libraries (it names cuDNN too).
  for (const char* p : {"/usr/lib/x86_64-linux-gnu/libcuda.so.1", "libcublasLt.so.12",
                        "/usr/local/cuda/lib64/libcudart.so.12", "/lib/libnvidia-ml.so.1", "/usr/lib/libcudnn.so.9"})
    EXPECT_TRUE(fatbin::is_cuda_library_name(p)) << p;
  for (const char* p : {"/usr/lib/libc.so.6", "/opt/libcuda_helper.a"})
    EXPECT_FALSE(fatbin::is_cuda_library_name(p)) << p;
}

TEST(Capture, AllSectionsWithSaneTypesOnThisMachine) {
  const nlohmann::json s = capture();
  for (const char* section : {"host", "os", "cpu", "memory", "cgroup", "shm", "ulimits", "numa",
                              "thp", "container", "gpu", "cuda", "libraries", "env_vars"}) {
    ASSERT_TRUE(s.contains(section)) << section;
    EXPECT_TRUE(s[section].is_object()) << section;
    EXPECT_FALSE(s[section].contains("error")) << section << ": " << s[section].dump();
  }
  EXPECT_EQ(s["sparkbench_version"], kVersion);
  EXPECT_TRUE(std::regex_match(s["timestamp_utc"].get<std::string>(),
                               std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)")));
  EXPECT_TRUE(s["host"]["arch"].is_string());
  EXPECT_TRUE(s["os"]["pretty_name"].is_string());

  // Cross-checks against other interfaces of the same kernel.
  EXPECT_EQ(s["cpu"]["logical_count"], sysconf(_SC_NPROCESSORS_CONF));
  cpu_set_t set;
  ASSERT_EQ(sched_getaffinity(0, sizeof set, &set), 0);
  EXPECT_EQ(s["cpu"]["affinity_count"], CPU_COUNT(&set));
  EXPECT_EQ(s["memory"]["total_bytes"].get<std::uint64_t>(),
            static_cast<std::uint64_t>(sysconf(_SC_PHYS_PAGES)) * sysconf(_SC_PAGESIZE));

  const auto& cg = s["cgroup"];
  ASSERT_TRUE(cg["version"].is_string());
  EXPECT_TRUE(cg["version"] == "1" || cg["version"] == "2" || cg["version"] == "hybrid");
  EXPECT_TRUE(cg["memory_limit_bytes"].is_null() || cg["memory_limit_bytes"].is_number_unsigned());
  EXPECT_TRUE(cg["cpu_quota_cpus"].is_null() || cg["cpu_quota_cpus"].is_number());
  EXPECT_GT(s["shm"]["size_bytes"].get<std::uint64_t>(), 0u);
  EXPECT_TRUE(s["ulimits"]["nofile"]["soft"].is_number() || s["ulimits"]["nofile"]["soft"] == "unlimited");
  EXPECT_TRUE(s["container"]["detected"].is_boolean());
  EXPECT_TRUE(s["gpu"]["available"].is_boolean());
  if (!s["gpu"]["available"].get<bool>()) EXPECT_FALSE(s["gpu"]["reason"].get<std::string>().empty());
  EXPECT_TRUE(s["libraries"]["loaded"].is_array());
  EXPECT_TRUE(s["env_vars"].contains("PATH"));
}

TEST(Capture, TextFitsAnIssue) {
  const std::string text = to_text(capture());
  std::istringstream in(text);
  std::string line;
  int lines = 0;
  while (std::getline(in, line)) {
    ++lines;
    EXPECT_LT(line.size(), 100u) << line;
  }
  EXPECT_GT(lines, 30);
  for (const char* header : {"\nhost\n", "\ncgroup\n", "\ngpu\n", "\nenv_vars\n"})
    EXPECT_NE(text.find(header), std::string::npos) << header;
  EXPECT_NE(text.find("  version"), std::string::npos);
}

TEST(Capture, TextOfHandMadeSnapshot) {
  const nlohmann::json snap = {
      {"sparkbench_version", "0.1.0"},
      {"timestamp_utc", "2025-01-01T00:00:00Z"},
      {"memory", {{"total_bytes", 137438953472ULL}}},
      {"ulimits", {{"nofile", {{"soft", 1024}, {"hard", "unlimited"}}}}},
      {"cgroup", {{"memory_limit_bytes", nullptr}, {"memory_unlimited", true}, {"cpu_quota_cpus", 0.5}}},
      {"gpu", {{"devices", {{{"name", "H200"}, {"power_limit_w", 612.5}}}}}},
  };
  const std::string text = to_text(snap);
  EXPECT_NE(text.find("sparkbench 0.1.0 environment, 2025-01-01T00:00:00Z"), std::string::npos);
  EXPECT_NE(text.find("total_bytes  137438953472 (128.0 GiB)"), std::string::npos) << text;
  EXPECT_NE(text.find("nofile  soft 1024, hard unlimited"), std::string::npos) << text;
  EXPECT_NE(text.find("memory_unlimited    yes"), std::string::npos) << text;
  EXPECT_NE(text.find("cpu_quota_cpus      0.5\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\n  devices[0]\n    name           H200\n    power_limit_w  612.5\n"),
            std::string::npos) << text;
}

// Runs under ctest as unit.fake_nvml, with tests/fake_nvml's libnvidia-ml.so.1 on LD_LIBRARY_PATH.
TEST(FakeNvml, GpuSectionAndLibraryPath) {
  if (!std::getenv("SPARKBENCH_FAKE_NVML"))
    GTEST_SKIP() << "needs the fake NVML: run `ctest -R fake_nvml`";
  const nlohmann::json g = capture_gpu();
  ASSERT_EQ(g["available"], true) << g.dump();
  EXPECT_EQ(g["driver_version"], "580.95.05");
  EXPECT_EQ(g["cuda_driver_version"], "13.0");
  ASSERT_EQ(g["device_count"], 1);
  const nlohmann::json& d = g["devices"][0];
  EXPECT_EQ(d["name"], "Fake GPU");
  EXPECT_EQ(d["uuid"], "GPU-00000000-1111-2222-3333-444444444444");
  EXPECT_EQ(d["persistence_mode"], true);
  EXPECT_DOUBLE_EQ(d["power_draw_w"].get<double>(), 12.345);
  EXPECT_EQ(d["max_sm_clock_mhz"], 2000.0);
  EXPECT_EQ(d["throttle_reasons"], nlohmann::json({"gpu_idle", "sw_power_cap"}));
  // Not supported: null and no error. Refused: null and the reason.
  EXPECT_TRUE(d["vbios_version"].is_null());
  EXPECT_TRUE(d["memory_total_bytes"].is_null());
  EXPECT_FALSE(d["errors"].contains("memory_total_bytes"));
  EXPECT_TRUE(d["power_limit_w"].is_null());
  EXPECT_NE(d["errors"].value("power_limit_w", "").find("Insufficient Permissions"),
            std::string::npos) << d["errors"].dump();

  const nlohmann::json libraries = capture_libraries(nlohmann::json::object());
  bool found = false;
  for (const auto& lib : libraries["loaded"])
    found = found || lib["path"].get<std::string>().ends_with("libnvidia-ml.so.1");
  EXPECT_TRUE(found) << libraries.dump();
}

}  // namespace
}  // namespace sb::env
