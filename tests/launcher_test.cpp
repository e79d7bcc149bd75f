// The launchers without any container runtime: --env parsing, the exact command lines and OCI
// configs generated for invented hosts (HostFacts), GPU-injection choices, and the errors for
// missing or broken runtimes.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>

#include "core/child_process.hpp"
#include "core/error.hpp"
#include "launcher/bundle.hpp"
#include "launcher/environment_spec.hpp"
#include "launcher/host_facts.hpp"
#include "launcher/host_mirror.hpp"
#include "launcher/launcher.hpp"
#include "launcher/session.hpp"

namespace sb::launcher {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using Args = std::vector<std::string>;

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return std::string(e.what()) + " | fix: " + e.fix();
  }
  return "";
}

bool has(const std::string& haystack, const std::string& needle) { return haystack.find(needle) != std::string::npos; }

// The position of `seq` as a contiguous run inside `args`, or -1.
long find_seq(const Args& args, const Args& seq) {
  const auto it = std::search(args.begin(), args.end(), seq.begin(), seq.end());
  return it == args.end() ? -1 : it - args.begin();
}

// A merged-usr Debian-like host, user 1000, cgroup v2, Docker 24 and Podman 4.9 running, no GPU.
HostFacts plain_host() {
  HostFacts f;
  f.tools = {{"docker", "/usr/bin/docker"}, {"podman", "/usr/bin/podman"}, {"crun", "/usr/bin/crun"},
             {"runc", "/usr/sbin/runc"},    {"tar", "/usr/bin/tar"},       {"ldconfig", "/sbin/ldconfig"}};
  f.docker_info = {true, 0,
                   R"({"ServerVersion":"24.0.7","Runtimes":{"runc":{"path":"runc"}},"CgroupVersion":"2",
                       "CgroupDriver":"systemd","CpuCfsQuota":true,"MemoryLimit":true,"CPUSet":true,"Warnings":null})",
                   ""};
  f.podman_info = {true, 0,
                   R"({"host":{"ociRuntime":{"name":"crun"},"cgroupVersion":"v2","security":{"rootless":false}},
                       "version":{"Version":"4.9.3"}})",
                   ""};
  f.cgroup_layout = "v2";
  using K = MirrorPath::Kind;
  f.userland = {{"/usr", K::Directory, ""},       {"/bin", K::Symlink, "usr/bin"},   {"/sbin", K::Symlink, "usr/sbin"},
                {"/lib", K::Symlink, "usr/lib"},  {"/lib64", K::Symlink, "usr/lib64"},
                {"/etc/alternatives", K::Directory, ""}, {"/etc/ld.so.cache", K::File, ""},
                {"/etc/ld.so.conf", K::File, ""}, {"/etc/ld.so.conf.d", K::Directory, ""}};
  f.uid = 1000;
  f.gid = 1000;
  f.user_name = "ana";
  f.group_name = "ana";
  f.rlimits = {{"nofile", {1024, 4096}}, {"nproc", {1000, 2000}}};
  return f;
}

// The same host with an NVIDIA GPU: device nodes, driver libraries (one outside the userland), nvidia-smi.
HostFacts gpu_host() {
  HostFacts f = plain_host();
  f.nvidia_devices = {{"/dev/nvidia0", 195, 0},       {"/dev/nvidiactl", 195, 255},    {"/dev/nvidia-modeset", 195, 254},
                      {"/dev/nvidia-uvm", 510, 0},    {"/dev/nvidia-uvm-tools", 510, 1},
                      {"/dev/nvidia-caps/nvidia-cap1", 235, 1}};
  f.driver_libs = {"/usr/lib/x86_64-linux-gnu/libcuda.so.1", "/usr/lib/x86_64-linux-gnu/libnvidia-ml.so.1",
                   "/opt/nvidia/lib/libnvidia-ptxjitcompiler.so.1"};
  f.tools["nvidia-smi"] = "/usr/bin/nvidia-smi";
  return f;
}

ContainerRun basic_run(const std::string& image) {
  ContainerRun r;
  r.image = image;
  r.name = "sb-test";
  r.mounts = {{"/tmp/io", "/sparkbench-io", false}, {"/usr", "/usr", true}};
  r.env = {{"SPARKBENCH_LAUNCHER", "docker"}};
  r.argv = {"/opt/sb/sparkbench", "run", "--plan-file", "/sparkbench-io/plan.json"};
  r.workdir = "/sparkbench-io";
  return r;
}

// ---- --env and options ------------------------------------------------------------------------

TEST(LauncherEnv, ParsesEveryForm) {
  EXPECT_EQ(parse_env("native").runtime, Runtime::Native);
  const EnvSpec d = parse_env("docker");
  EXPECT_EQ(d.runtime, Runtime::Docker);
  EXPECT_TRUE(d.host_mirror());
  const EnvSpec ngc = parse_env("docker:nvcr.io/nvidia/pytorch:25.01-py3");
  EXPECT_EQ(ngc.image, "nvcr.io/nvidia/pytorch:25.01-py3");  // the tag's colon stays with the image
  EXPECT_FALSE(ngc.host_mirror());
  EXPECT_EQ(ngc.default_label(), "docker-pytorch-25.01-py3");
  EXPECT_EQ(parse_env("podman:localhost/x:1").runtime, Runtime::Podman);
  const EnvSpec sif = parse_env("singularity:/images/cuda.sif");
  EXPECT_EQ(sif.runtime, Runtime::Apptainer);
  EXPECT_EQ(sif.default_label(), "apptainer-cuda");
  EXPECT_EQ(parse_env("apptainer:docker://ubuntu:24.04").image, "docker://ubuntu:24.04");
  EXPECT_EQ(parse_env("oci").oci_runtime, "");
  EXPECT_EQ(parse_env("oci:runc").oci_runtime, "runc");
  EXPECT_EQ(parse_env("oci:crun").default_label(), "oci-crun");
  EXPECT_EQ(parse_env("docker").default_label(), "docker");
}

TEST(LauncherEnv, RejectsMalformedForms) {
  EXPECT_TRUE(has(error_of([] { parse_env("dockr"); }), "unknown environment 'dockr'"));
  EXPECT_TRUE(has(error_of([] { parse_env("dockr"); }), "podman[:IMAGE]"));
  EXPECT_TRUE(has(error_of([] { parse_env("docker:"); }), "nothing after ':'"));
  EXPECT_TRUE(has(error_of([] { parse_env("native:foo"); }), "native takes no image"));
  EXPECT_TRUE(has(error_of([] { parse_env("oci:kata"); }), "unknown OCI runtime 'kata'"));
  EXPECT_TRUE(has(error_of([] { parse_env("docker:a b"); }), "white space"));
}

TEST(LauncherOptions, UlimitsAndSizes) {
  const Ulimit u = parse_ulimit("nofile=1024:2048");
  EXPECT_EQ(u.soft, 1024);
  EXPECT_EQ(u.hard, 2048);
  EXPECT_EQ(u.rlimit_name(), "RLIMIT_NOFILE");
  EXPECT_EQ(u.text(), "nofile=1024:2048");
  EXPECT_EQ(parse_ulimit("memlock=-1").hard, -1);
  EXPECT_EQ(parse_ulimit("nproc=512").text(), "nproc=512");
  EXPECT_TRUE(has(error_of([] { parse_ulimit("files=1"); }), "unknown limit 'files'"));
  EXPECT_TRUE(has(error_of([] { parse_ulimit("nofile=9:1"); }), "soft limit is above the hard limit"));
  EXPECT_TRUE(has(error_of([] { parse_ulimit("nofile"); }), "NAME=SOFT[:HARD]"));
  EXPECT_EQ(parse_size("64m", "--shm-size"), 64ull << 20);
  EXPECT_EQ(parse_size("1g", "--memory"), 1ull << 30);
  EXPECT_EQ(parse_size("512MB", "--memory"), 512ull << 20);
  EXPECT_EQ(parse_size("4096", "--memory"), 4096u);
  EXPECT_TRUE(has(error_of([] { parse_size("1.5g", "--memory"); }), "--memory '1.5g' is not a size"));
  ContainerOptions o;
  o.cpus = 0;
  EXPECT_TRUE(has(error_of([&] { validate(o); }), "--cpus"));
  o.cpus = 0.5;
  o.network = "bridge";
  EXPECT_TRUE(has(error_of([&] { validate(o); }), "--network 'bridge'"));
}

TEST(LauncherOptions, MountsUseDockersVolumeSyntax) {
  const BindMount same = parse_bind_mount("/tmp");
  EXPECT_EQ(same.source, "/tmp");
  EXPECT_EQ(same.target, "/tmp");
  EXPECT_FALSE(same.read_only);
  const BindMount moved = parse_bind_mount("/tmp:/data:ro");
  EXPECT_EQ(moved.target, "/data");
  EXPECT_TRUE(moved.read_only);
  EXPECT_TRUE(parse_bind_mount("/tmp:ro").read_only);
  EXPECT_TRUE(has(error_of([] { parse_bind_mount("relative/path"); }), "both paths must be absolute"));
  EXPECT_TRUE(has(error_of([] { parse_bind_mount("/no/such/dir/here"); }), "does not exist on this host"));
  EXPECT_TRUE(has(error_of([] { parse_bind_mount("/tmp:/a:/b"); }), "SRC[:DST][:ro|:rw]"));
  ContainerOptions o;
  o.mounts = {"/tmp:/x:ro"};
  EXPECT_EQ(to_json(o)["mounts"][0], "/tmp:/x:ro");
}

// A venv's python (bin/python3 -> /usr/bin/python3.12) needs the venv's lib/: its root is mounted.
TEST(LauncherSession, PathEntriesBringTheirInstallPrefix) {
  const std::filesystem::path root = std::filesystem::temp_directory_path() / ("sb-path-" + std::to_string(::getpid()));
  std::filesystem::create_directories(root / "venv" / "bin");
  std::filesystem::create_directories(root / "tools");
  const auto prefixes = path_install_prefixes((root / "venv" / "bin").string() + "::/no/such/bin:" +
                                              (root / "tools").string() + ":/");
  std::filesystem::remove_all(root);
  ASSERT_EQ(prefixes.size(), 2u);
  EXPECT_EQ(prefixes[0], std::filesystem::canonical(root.parent_path()).string() + "/" + root.filename().string() + "/venv");
  EXPECT_EQ(prefixes[1], std::filesystem::canonical(root.parent_path()).string() + "/" + root.filename().string() + "/tools");
}

// ---- docker ------------------------------------------------------------------------------------

TEST(LauncherDocker, HostMirrorCommandWithEveryOption) {
  const HostFacts f = plain_host();
  const auto l = make_launcher(parse_env("docker"));
  ContainerOptions given;
  given.shm_size = "8g";
  given.ipc_host = true;
  given.ulimits = {parse_ulimit("memlock=-1"), parse_ulimit("stack=67108864")};
  given.cpus = 0.5;
  given.cpuset_cpus = "0-3";
  given.memory = "16g";
  given.runtime_args = {"--security-opt=seccomp=unconfined"};
  ContainerRun run = basic_run("sparkbench/host-mirror:0.1.0-abc");
  run.options = l->effective_options(given, f);
  EXPECT_EQ(l->gpu(f).mode, GpuInjection::None);
  const Args expected = {"/usr/bin/docker", "run", "--rm", "--name", "sb-test", "--network", "none",
                         "--user", "1000:1000",  // the invoking user, so the results stay theirs
                         "--shm-size", "8g", "--ipc", "host", "--ulimit", "memlock=-1", "--ulimit", "stack=67108864",
                         "--cpus", "0.5", "--cpuset-cpus", "0-3", "--memory", "16g",
                         "-v", "/tmp/io:/sparkbench-io", "-v", "/usr:/usr:ro",
                         "-e", "SPARKBENCH_LAUNCHER=docker", "-w", "/sparkbench-io",
                         "--security-opt=seccomp=unconfined", "sparkbench/host-mirror:0.1.0-abc",
                         "/opt/sb/sparkbench", "run", "--plan-file", "/sparkbench-io/plan.json"};
  EXPECT_EQ(l->command(run, f), expected);
}

TEST(LauncherDocker, RootKeepsTheImagesUserAndQuotaNeedsCfsSupport) {
  HostFacts f = plain_host();
  f.uid = 0;
  const auto l = make_launcher(parse_env("docker"));
  EXPECT_EQ(l->effective_options({}, f).user, "");
  f.docker_info.out = R"({"ServerVersion":"20.10","CpuCfsQuota":false})";
  ContainerOptions o;
  o.cpus = 2;
  EXPECT_TRUE(has(error_of([&] { l->effective_options(o, f); }), "no CPU CFS quota support"));
}

TEST(LauncherDocker, GpuInjectionFollowsWhatTheHostHas) {
  // Host-mirror: the driver libraries come with the mirrored /usr; only nodes (and libraries outside it).
  HostFacts f = gpu_host();
  const auto mirror = make_launcher(parse_env("docker"));
  ASSERT_EQ(mirror->gpu(f).mode, GpuInjection::Devices);
  ContainerRun run = basic_run("img");
  run.gpu = GpuInjection::Devices;
  add_gpu_devices(run, f, /*host_mirror=*/true);
  Args cmd = mirror->command(run, f);
  for (const char* dev : {"/dev/nvidia0", "/dev/nvidiactl", "/dev/nvidia-modeset", "/dev/nvidia-uvm",
                          "/dev/nvidia-uvm-tools", "/dev/nvidia-caps/nvidia-cap1"})
    EXPECT_GE(find_seq(cmd, {"--device", dev}), 0) << dev;
  EXPECT_GE(find_seq(cmd, {"-v", "/opt/nvidia/lib/libnvidia-ptxjitcompiler.so.1:/opt/nvidia/lib/libnvidia-ptxjitcompiler.so.1:ro"}), 0);
  EXPECT_EQ(find_seq(cmd, {"-v", "/usr/lib/x86_64-linux-gnu/libcuda.so.1:/usr/lib/x86_64-linux-gnu/libcuda.so.1:ro"}), -1);

  // An image, no NVIDIA runtime, no CDI: nodes plus every driver library under /usr/local/nvidia.
  const auto image = make_launcher(parse_env("docker:cuda:12"));
  ASSERT_EQ(image->gpu(f).mode, GpuInjection::Devices);
  ContainerRun in_image = basic_run("cuda:12");
  in_image.gpu = GpuInjection::Devices;
  add_gpu_devices(in_image, f, /*host_mirror=*/false);
  cmd = image->command(in_image, f);
  EXPECT_GE(find_seq(cmd, {"-v", "/usr/lib/x86_64-linux-gnu/libcuda.so.1:/usr/local/nvidia/lib64/libcuda.so.1:ro"}), 0);
  EXPECT_GE(find_seq(cmd, {"-v", "/usr/bin/nvidia-smi:/usr/local/nvidia/bin/nvidia-smi:ro"}), 0);
  EXPECT_GE(find_seq(cmd, {"--device", "/dev/nvidia0"}), 0);

  // The NVIDIA container runtime configured: --gpus all and nothing else.
  f.docker_info.out = R"({"ServerVersion":"24.0.7","Runtimes":{"nvidia":{"path":"nvidia-container-runtime"},"runc":{}}})";
  ASSERT_EQ(image->gpu(f).mode, GpuInjection::NvidiaRuntime);
  ContainerRun runtime_run = basic_run("cuda:12");
  runtime_run.gpu = GpuInjection::NvidiaRuntime;
  cmd = image->command(runtime_run, f);
  EXPECT_GE(find_seq(cmd, {"--gpus", "all"}), 0);
  EXPECT_EQ(find_seq(cmd, {"--device", "/dev/nvidia0"}), -1);

  // CDI: a spec and a Docker with CDI enabled.
  f.docker_info.out = R"({"ServerVersion":"28.1","Runtimes":{"runc":{}},"CDISpecDirs":["/etc/cdi","/var/run/cdi"]})";
  f.cdi_specs = {"/etc/cdi/nvidia.yaml"};
  ASSERT_EQ(image->gpu(f).mode, GpuInjection::Cdi);
  ContainerRun cdi_run = basic_run("cuda:12");
  cdi_run.gpu = GpuInjection::Cdi;
  EXPECT_GE(find_seq(image->command(cdi_run, f), {"--device", "nvidia.com/gpu=all"}), 0);
  // A spec without CDI enabled in Docker is not enough.
  f.docker_info.out = R"({"ServerVersion":"24.0.7","Runtimes":{"runc":{}}})";
  EXPECT_EQ(image->gpu(f).mode, GpuInjection::Devices);
}

TEST(LauncherDocker, ProbeExplainsMissingStoppedAndForbidden) {
  HostFacts f = plain_host();
  const auto l = make_launcher(parse_env("docker"));
  EXPECT_TRUE(l->probe(f).usable);
  EXPECT_EQ(l->probe(f).version, "Docker 24.0.7");

  f.tools.erase("docker");
  Availability a = l->probe(f);
  EXPECT_FALSE(a.usable);
  EXPECT_TRUE(has(a.problem, "docker is not installed"));
  EXPECT_TRUE(has(a.fix, "apt-get install docker.io"));

  f = plain_host();
  f.docker_host = "unix:///tmp/dead.sock";
  f.docker_info = {true, 1, "", "Cannot connect to the Docker daemon at unix:///tmp/dead.sock. Is the docker daemon running?\n"};
  a = l->probe(f);
  EXPECT_FALSE(a.usable);
  EXPECT_TRUE(has(a.problem, "Docker daemon is not running (DOCKER_HOST=unix:///tmp/dead.sock)"));
  EXPECT_TRUE(has(a.fix, "systemctl start docker"));
  // Older clients exit 0 and put the error into the JSON.
  f.docker_info = {true, 0, R"({"ServerErrors":["Cannot connect to the Docker daemon at unix:///tmp/dead.sock. Is the docker daemon running?"]})", ""};
  EXPECT_TRUE(has(l->probe(f).problem, "not running"));

  f.docker_info = {true, 1, "",
                   "permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock\n"};
  a = l->probe(f);
  EXPECT_TRUE(has(a.problem, "permission denied"));
  EXPECT_TRUE(has(a.fix, "usermod -aG docker"));
}

// ---- podman ------------------------------------------------------------------------------------

TEST(LauncherPodman, HybridCgroupsSwitchCrunToRuncAndLimitsComeFromTheCaller) {
  HostFacts f = plain_host();
  f.uid = 0;
  f.cgroup_layout = "hybrid";
  const auto l = make_launcher(parse_env("podman"));
  const Availability a = l->probe(f);
  ASSERT_TRUE(a.usable) << a.problem;
  EXPECT_EQ(a.version, "Podman 4.9.3");
  ContainerOptions given;
  given.ulimits = {parse_ulimit("nproc=64:128")};
  given.cpus = 0.5;
  ContainerRun run = basic_run("img");
  run.options = l->effective_options(given, f);
  const Args cmd = l->command(run, f);
  EXPECT_EQ(find_seq(cmd, {"/usr/bin/podman", "--runtime", "runc", "run", "--rm"}), 0);
  EXPECT_GE(find_seq(cmd, {"--ulimit", "nproc=64:128"}), 0);       // given: kept
  EXPECT_GE(find_seq(cmd, {"--ulimit", "nofile=1024:4096"}), 0);   // not given: the caller's
  EXPECT_EQ(find_seq(cmd, {"--ulimit", "nproc=1000:2000"}), -1);
  EXPECT_GE(find_seq(cmd, {"--cpus", "0.5"}), 0);
  EXPECT_EQ(find_seq(cmd, {"--user"}), -1);  // podman maps users itself

  f.cgroup_layout = "v2";
  EXPECT_EQ(l->command(run, f)[1], "run");  // crun is fine elsewhere

  // A high caller nproc is capped at podman's default, the most its runtime accepts without CAP_SYS_RESOURCE.
  f.rlimits["nproc"] = {96365, 96365};
  ContainerRun capped = basic_run("img");
  capped.options = l->effective_options({}, f);
  EXPECT_GE(find_seq(l->command(capped, f), {"--ulimit", "nproc=32768"}), 0);

  f.cgroup_layout = "hybrid";
  f.tools.erase("runc");
  const Availability no_runc = l->probe(f);
  EXPECT_FALSE(no_runc.usable);
  EXPECT_TRUE(has(no_runc.problem, "hybrid cgroup layout"));
  EXPECT_TRUE(has(no_runc.fix, "apt-get install runc"));
}

TEST(LauncherPodman, RootlessOnCgroupV1CannotLimitAndCdiIsUsedForImages) {
  HostFacts f = gpu_host();
  f.cgroup_layout = "v1";
  f.podman_info.out = R"({"host":{"ociRuntime":{"name":"runc"},"cgroupVersion":"v1","security":{"rootless":true}},"version":{"Version":"4.3.1"}})";
  const auto l = make_launcher(parse_env("podman:cuda"));
  ContainerOptions o;
  o.memory = "1g";
  EXPECT_TRUE(has(error_of([&] { l->effective_options(o, f); }), "rootless podman cannot apply"));
  EXPECT_EQ(l->gpu(f).mode, GpuInjection::Devices);
  f.cdi_specs = {"/var/run/cdi/nvidia.yaml"};
  EXPECT_EQ(l->gpu(f).mode, GpuInjection::Cdi);
  f.tools.erase("podman");
  EXPECT_TRUE(has(l->probe(f).fix, "apt-get install podman"));
}

// ---- apptainer ---------------------------------------------------------------------------------

TEST(LauncherApptainer, CommandUsesNvBindsAndRefusesWhatItCannotDo) {
  HostFacts f = gpu_host();
  const auto l = make_launcher(parse_env("apptainer:/img/cuda.sif"));
  EXPECT_FALSE(l->probe(f).usable);
  EXPECT_TRUE(has(l->probe(f).fix, "apt-get install apptainer"));
  f.tools["singularity"] = "/usr/bin/singularity";
  f.tool_versions["singularity"] = "singularity-ce version 4.1.0";
  ASSERT_TRUE(l->probe(f).usable);
  EXPECT_EQ(l->probe(f).version, "singularity-ce version 4.1.0");
  ASSERT_EQ(l->gpu(f).mode, GpuInjection::ApptainerNv);
  ContainerRun run = basic_run("/img/cuda.sif");
  run.gpu = GpuInjection::ApptainerNv;
  ContainerOptions o;
  o.cpus = 2;
  run.options = l->effective_options(o, f);
  const Args expected = {"/usr/bin/singularity", "exec", "--contain", "--cleanenv", "--pid", "--ipc", "--nv",
                         "--cpus", "2", "--pwd", "/sparkbench-io",
                         "--bind", "/tmp/io:/sparkbench-io", "--bind", "/usr:/usr:ro",
                         "--env", "SPARKBENCH_LAUNCHER=docker", "/img/cuda.sif",
                         "/opt/sb/sparkbench", "run", "--plan-file", "/sparkbench-io/plan.json"};
  EXPECT_EQ(l->command(run, f), expected);
  ContainerOptions shm;
  shm.shm_size = "1g";
  EXPECT_TRUE(has(error_of([&] { l->effective_options(shm, f); }), "apptainer cannot apply --shm-size"));
}

// ---- oci -----------------------------------------------------------------------------------------

TEST(LauncherOci, RuntimeChoiceAndProbe) {
  HostFacts f = plain_host();
  f.uid = 0;
  EXPECT_EQ(oci_runtime_binary(parse_env("oci"), f), "/usr/bin/crun");
  f.cgroup_layout = "hybrid";  // crun refuses it: runc first
  EXPECT_EQ(oci_runtime_binary(parse_env("oci"), f), "/usr/sbin/runc");
  const auto crun = make_launcher(parse_env("oci:crun"));
  EXPECT_TRUE(has(crun->probe(f).fix, "oci:runc"));
  f.tools.erase("crun");
  f.tools.erase("runc");
  EXPECT_TRUE(has(crun->probe(f).fix, "apt-get install crun"));
  f.oci_runtime_override = "/opt/crun";
  f.tools["SPARKBENCH_OCI_RUNTIME"] = "/opt/crun";
  f.cgroup_layout = "v2";
  EXPECT_EQ(oci_runtime_binary(parse_env("oci"), f), "/opt/crun");
  const auto oci = make_launcher(parse_env("oci"));
  EXPECT_TRUE(oci->probe(f).usable);
  f.uid = 1000;
  EXPECT_TRUE(has(oci->probe(f).problem, "not running as root"));
  f.uid = 0;
  ContainerRun run = basic_run("");
  run.bundle_dir = "/tmp/b";
  EXPECT_EQ(oci->command(run, f), (Args{"/opt/crun", "run", "--bundle", "/tmp/b", "sb-test"}));
}

TEST(LauncherOci, ConfigJsonCarriesNamespacesMountsDevicesRlimitsAndCgroupLimits) {
  HostFacts f = gpu_host();
  f.uid = 0;
  const auto l = make_launcher(parse_env("oci"));
  ContainerOptions o;
  o.cpus = 0.5;
  o.cpuset_cpus = "0,1";
  o.memory = "1g";
  o.ulimits = {parse_ulimit("memlock=-1")};
  ContainerRun run = basic_run("");
  run.name = "sb-oci";
  run.options = l->effective_options(o, f);
  run.gpu = GpuInjection::Devices;
  add_gpu_devices(run, f, /*host_mirror=*/true);
  // Through text, as the runtime reads it.
  const json c = json::parse(oci_config(run, f).dump());

  std::vector<std::string> ns;
  for (const auto& n : c["linux"]["namespaces"]) ns.push_back(n["type"]);
  std::sort(ns.begin(), ns.end());
  EXPECT_EQ(ns, (std::vector<std::string>{"ipc", "mount", "network", "pid", "uts"}));

  const json& cpu = c["linux"]["resources"]["cpu"];
  EXPECT_EQ(cpu["quota"], 50000);
  EXPECT_EQ(cpu["period"], 100000);
  EXPECT_EQ(cpu["cpus"], "0,1");
  EXPECT_EQ(c["linux"]["resources"]["memory"]["limit"], 1073741824);
  EXPECT_EQ(c["linux"]["cgroupsPath"], "/sparkbench/sb-oci");

  std::map<std::string, json> mounts;
  for (const auto& m : c["mounts"]) mounts[m["destination"]] = m;
  EXPECT_EQ(mounts["/usr"]["type"], "bind");
  EXPECT_EQ(mounts["/usr"]["options"], json({"rbind", "ro"}));
  EXPECT_EQ(mounts["/sparkbench-io"]["options"], json({"rbind", "rw"}));
  EXPECT_EQ(mounts["/opt/nvidia/lib/libnvidia-ptxjitcompiler.so.1"]["options"], json({"rbind", "ro"}));
  EXPECT_EQ(mounts["/proc"]["type"], "proc");
  EXPECT_TRUE(has(mounts["/dev/shm"].dump(), "size=67108864"));  // docker's 64m default

  std::map<std::string, json> devices;
  for (const auto& d : c["linux"]["devices"]) devices[d["path"]] = d;
  ASSERT_EQ(devices.size(), 6u);
  EXPECT_EQ(devices["/dev/nvidia-uvm"]["major"], 510);
  EXPECT_EQ(devices["/dev/nvidiactl"]["minor"], 255);
  EXPECT_EQ(devices["/dev/nvidia-caps/nvidia-cap1"]["type"], "c");
  const json& rules = c["linux"]["resources"]["devices"];
  EXPECT_EQ(rules[0], json({{"allow", false}, {"access", "rwm"}}));  // default deny first
  EXPECT_TRUE(std::any_of(rules.begin(), rules.end(), [](const json& r) {
    return r["allow"] == true && r.value("major", -1) == 195 && r.value("minor", -1) == 0;
  }));

  std::map<std::string, json> rl;
  for (const auto& r : c["process"]["rlimits"]) rl[r["type"]] = r;
  EXPECT_EQ(rl["RLIMIT_NOFILE"]["soft"], 1024);  // the caller's
  EXPECT_EQ(rl["RLIMIT_NOFILE"]["hard"], 4096);
  EXPECT_EQ(rl["RLIMIT_MEMLOCK"]["hard"], UINT64_MAX);  // -1 = unlimited
  EXPECT_EQ(c["process"]["user"]["uid"], 0);
  EXPECT_EQ(c["process"]["cwd"], "/sparkbench-io");
  EXPECT_EQ(c["process"]["args"][0], "/opt/sb/sparkbench");
  EXPECT_TRUE(has(c["process"]["env"].dump(), "SPARKBENCH_LAUNCHER=docker"));
  EXPECT_EQ(c["root"]["readonly"], true);

  // --network host and --ipc-host leave those namespaces out and share /dev/shm.
  run.options.network = "host";
  run.options.ipc_host = true;
  const json shared = oci_config(run, f);
  for (const auto& n : shared["linux"]["namespaces"]) {
    EXPECT_NE(n["type"], "network");
    EXPECT_NE(n["type"], "ipc");
  }
  EXPECT_TRUE(has(shared["mounts"].dump(), R"("source":"/dev/shm")"));
}

// ---- host facts and host-mirror -----------------------------------------------------------------

TEST(LauncherHost, ParsesLdconfigAndCgroupLayouts) {
  const std::string ldconfig =
      "1234 libs found in cache `/etc/ld.so.cache'\n"
      "\tlibnvidia-ml.so.1 (libc6,x86-64) => /usr/lib/x86_64-linux-gnu/libnvidia-ml.so.1\n"
      "\tlibnvidia-ptxjitcompiler.so.1 (libc6,x86-64) => /usr/lib/x86_64-linux-gnu/libnvidia-ptxjitcompiler.so.1\n"
      "\tlibnvidia-egl-wayland.so.1 (libc6,x86-64) => /usr/lib/x86_64-linux-gnu/libnvidia-egl-wayland.so.1\n"
      "\tlibcudart.so.12 (libc6,x86-64) => /usr/local/cuda/lib64/libcudart.so.12\n"
      "\tlibcuda.so.1 (libc6,x86-64) => /usr/lib/x86_64-linux-gnu/libcuda.so.1\n"
      "\tlibcuda.so (libc6,x86-64) => /usr/lib/x86_64-linux-gnu/libcuda.so\n";
  EXPECT_EQ(driver_libs_from_ldconfig(ldconfig),
            (std::vector<std::string>{"/usr/lib/x86_64-linux-gnu/libnvidia-ml.so.1",
                                      "/usr/lib/x86_64-linux-gnu/libnvidia-ptxjitcompiler.so.1",
                                      "/usr/lib/x86_64-linux-gnu/libcuda.so.1", "/usr/lib/x86_64-linux-gnu/libcuda.so"}));
  EXPECT_TRUE(is_driver_library("libcudadebugger.so.580.65.06"));
  EXPECT_FALSE(is_driver_library("libcudart.so.13"));

  // This CI machine's layout: v1 controllers plus a cgroup2 hierarchy holding hugetlb.
  const std::string hybrid =
      "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
      "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
      "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";
  const auto with = [](std::string controllers) { return [controllers](const std::string&) { return controllers; }; };
  EXPECT_EQ(cgroup_layout_from_mountinfo(hybrid, with("hugetlb\n")), "hybrid");
  EXPECT_EQ(cgroup_layout_from_mountinfo(hybrid, with("")), "v1");  // systemd's empty unified tree: crun copes
  EXPECT_EQ(cgroup_layout_from_mountinfo("29 23 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n", with("cpu memory")), "v2");
}

TEST(LauncherHostMirror, RootfsMountsAndTag) {
  HostFacts f = plain_host();
  const auto rootfs = minimal_rootfs(f);
  const auto entry = [&](const std::string& path) {
    return *std::find_if(rootfs.begin(), rootfs.end(), [&](const RootfsEntry& e) { return e.path == path; });
  };
  EXPECT_EQ(entry("/bin").kind, RootfsEntry::Kind::Symlink);
  EXPECT_EQ(entry("/bin").content, "usr/bin");
  EXPECT_EQ(entry("/usr").kind, RootfsEntry::Kind::Directory);
  EXPECT_EQ(entry("/etc/ld.so.cache").kind, RootfsEntry::Kind::File);
  EXPECT_TRUE(has(entry("/etc/passwd").content, "ana:x:1000:1000:"));
  EXPECT_TRUE(has(entry("/etc/group").content, "ana:x:1000:"));

  const auto mounts = host_mirror_mounts(f, {"/work/sb/build", "/usr/local/cuda/lib64", "/lib/x86_64-linux-gnu", "/work/sb/build"});
  std::vector<std::string> targets;
  for (const auto& m : mounts) {
    EXPECT_TRUE(m.read_only);
    EXPECT_EQ(m.source, m.target);
    targets.push_back(m.target);
  }
  EXPECT_EQ(targets, (std::vector<std::string>{"/usr", "/etc/alternatives", "/etc/ld.so.cache", "/etc/ld.so.conf",
                                               "/etc/ld.so.conf.d", "/work/sb/build"}));

  const std::string tag = host_mirror_tag(rootfs);
  EXPECT_EQ(tag.rfind("sparkbench/host-mirror:", 0), 0u);
  EXPECT_EQ(tag, host_mirror_tag(minimal_rootfs(f)));
  f.uid = 1001;
  EXPECT_NE(tag, host_mirror_tag(minimal_rootfs(f)));

  // Written out: symlinks, files, and mount points for what a read-only OCI root cannot create later.
  char templ[] = "/tmp/sb-rootfs-XXXXXX";
  ASSERT_NE(mkdtemp(templ), nullptr);
  const fs::path dir = templ;
  write_rootfs(rootfs, dir, {{"/work/sb/build", "/work/sb/build", true}});
  EXPECT_EQ(fs::read_symlink(dir / "lib64").string(), "usr/lib64");
  EXPECT_TRUE(fs::is_regular_file(dir / "etc/ld.so.cache"));
  EXPECT_TRUE(fs::is_directory(dir / "tmp"));
  EXPECT_EQ(fs::status(dir / "tmp").permissions() & fs::perms::sticky_bit, fs::perms::sticky_bit);
  fs::remove_all(dir);
}

// ---- bundle ---------------------------------------------------------------------------------------

TEST(LauncherBundle, LddParsingAndLibraryClasses) {
  const std::string ldd =
      "\tlinux-vdso.so.1 (0x00007ffd4a3e9000)\n"
      "\tlibyaml-cpp.so.0.7 => /lib/x86_64-linux-gnu/libyaml-cpp.so.0.7 (0x00007f0c1b000000)\n"
      "\tlibcublas.so.13 => /usr/local/cuda/lib64/libcublas.so.13 (0x00007f0c00000000)\n"
      "\tlibstdc++.so.6 => /lib/x86_64-linux-gnu/libstdc++.so.6 (0x00007f0c1ac00000)\n"
      "\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f0c1aa00000)\n"
      "\tlibgone.so.2 => not found\n"
      "\t/lib64/ld-linux-x86-64.so.2 (0x00007f0c1b300000)\n";
  const auto libs = parse_ldd(ldd);
  ASSERT_EQ(libs.size(), 6u);
  EXPECT_EQ(libs[0].soname, "libyaml-cpp.so.0.7");
  EXPECT_EQ(libs[0].path, "/lib/x86_64-linux-gnu/libyaml-cpp.so.0.7");
  EXPECT_EQ(libs[4].soname, "libgone.so.2");
  EXPECT_EQ(libs[4].path, "");
  EXPECT_EQ(libs[5].soname, "ld-linux-x86-64.so.2");

  EXPECT_EQ(classify_library("libc.so.6"), LibraryClass::CLibrary);
  EXPECT_EQ(classify_library("libm.so.6"), LibraryClass::CLibrary);
  EXPECT_EQ(classify_library("libpthread.so.0"), LibraryClass::CLibrary);
  EXPECT_EQ(classify_library("ld-linux-aarch64.so.1"), LibraryClass::CLibrary);
  EXPECT_EQ(classify_library("libcuda.so.1"), LibraryClass::Driver);
  EXPECT_EQ(classify_library("libnvidia-ml.so.1"), LibraryClass::Driver);
  EXPECT_EQ(classify_library("libcublasLt.so.13"), LibraryClass::Cuda);
  EXPECT_EQ(classify_library("libcurl.so.4"), LibraryClass::Other);
  EXPECT_EQ(classify_library("libstdc++.so.6"), LibraryClass::Other);
  EXPECT_EQ(classify_library("libmount.so.1"), LibraryClass::Other);  // not libm
}

TEST(LauncherBundle, HighestGlibcVersionIsNumeric) {
  const fs::path file = fs::temp_directory_path() / "sb-glibc-versions.bin";
  std::ofstream(file) << std::string("\0GLIBC_2.2.5\0GLIBC_2.34\0GLIBC_PRIVATE\0GLIBC_2.9\0", 45);
  EXPECT_EQ(highest_glibc_version(file), "2.34");
  fs::remove(file);
}

// The launcher script, run by /bin/sh: a CUDA library the "image" already has (on its
// LD_LIBRARY_PATH) is not taken from the bundle; one it lacks is.
TEST(LauncherBundle, ScriptPrefersTheImagesCudaLibraries) {
  char templ[] = "/tmp/sb-bundle-XXXXXX";
  ASSERT_NE(mkdtemp(templ), nullptr);
  const fs::path dir = templ;
  fs::create_directories(dir / "bin");
  fs::create_directories(dir / "lib-cuda" / "libcublas.so.99");
  fs::create_directories(dir / "lib-cuda" / "libimagehas.so.1");
  fs::create_directories(dir / "image-libs");
  std::ofstream(dir / "image-libs" / "libimagehas.so.1") << "x";
  std::ofstream(dir / "sparkbench") << bundle_launcher_script();
  std::ofstream(dir / "bin" / "sparkbench") << "#!/bin/sh\necho \"$LD_LIBRARY_PATH\"\n";
  ::chmod((dir / "sparkbench").c_str(), 0755);
  ::chmod((dir / "bin" / "sparkbench").c_str(), 0755);
  const ChildOutcome r = run_child_process(
      {.argv = {"env", "LD_LIBRARY_PATH=" + (dir / "image-libs").string(), (dir / "sparkbench").string()}, .timeout_s = 30});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind((dir / "lib").string() + ":", 0), 0u) << r.out;
  EXPECT_TRUE(has(r.out, (dir / "lib-cuda" / "libcublas.so.99").string())) << r.out;
  EXPECT_FALSE(has(r.out, (dir / "lib-cuda" / "libimagehas.so.1").string())) << r.out;
  EXPECT_TRUE(has(r.out, (dir / "image-libs").string())) << r.out;
  fs::remove_all(dir);
}

// The real binary bundled and started through its launcher script.
TEST(LauncherBundle, BundleOfTheRealBinaryRuns) {
  char templ[] = "/tmp/sb-bundle-real-XXXXXX";
  ASSERT_NE(mkdtemp(templ), nullptr);
  const fs::path dir = templ;
  const json m = make_bundle(SPARKBENCH_BINARY, fs::path(SPARKBENCH_SOURCE_DIR) / "benchmarks/config.yaml", dir);
  EXPECT_TRUE(fs::exists(dir / "benchmarks/config.yaml"));
  EXPECT_FALSE(fs::exists(dir / "lib/libc.so.6"));
  EXPECT_TRUE(fs::exists(dir / "lib/libstdc++.so.6"));
  EXPECT_FALSE(m["requires_glibc"].get<std::string>().empty());
  bool left_out_libc = false;
  for (const auto& l : m["left_out"]) left_out_libc |= l["soname"] == "libc.so.6";
  EXPECT_TRUE(left_out_libc);
  const ChildOutcome r = run_child_process({.argv = {(dir / "sparkbench").string(), "--version"}, .timeout_s = 30});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(has(r.out, "sparkbench")) << r.out;
  fs::remove_all(dir);
}

// ---- process helpers and the session's first checks ---------------------------------------------

TEST(LauncherProcess, CaptureStatusTimeoutAndQuoting) {
  const ChildOutcome r = run_child_process({.argv = {"sh", "-c", "echo out; echo err >&2; exit 3"}, .timeout_s = 30});
  EXPECT_TRUE(r.started);
  EXPECT_EQ(r.out, "out\n");
  EXPECT_EQ(r.err, "err\n");
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_FALSE(run_child_process({.argv = {"/nonexistent/tool"}}).started);
  EXPECT_EQ(run_child_process({.argv = {"sleep", "10"}, .timeout_s = 0.2}).exit_code, 137);
  EXPECT_EQ(shell_join({"docker", "run", "-e", "A=b c", "it's"}), "docker run -e 'A=b c' 'it'\\''s'");
}

TEST(LauncherSession, ForwardsRunChoicesAlwaysAndHostPathsOnlyToTheMirror) {
  for (bool mirror : {true, false}) {
    EXPECT_TRUE(forward_env_var("OMP_NUM_THREADS", mirror));
    EXPECT_TRUE(forward_env_var("CUDA_VISIBLE_DEVICES", mirror));
    EXPECT_TRUE(forward_env_var("NCCL_P2P_DISABLE", mirror));
    EXPECT_FALSE(forward_env_var("SPARKBENCH_LAUNCHER", mirror));
    EXPECT_FALSE(forward_env_var("NVIDIA_VISIBLE_DEVICES", mirror));
    EXPECT_FALSE(forward_env_var("SSH_AUTH_SOCK", mirror));
  }
  EXPECT_TRUE(forward_env_var("LD_LIBRARY_PATH", true));
  EXPECT_TRUE(forward_env_var("CUDA_HOME", true));
  EXPECT_FALSE(forward_env_var("LD_LIBRARY_PATH", false));
  EXPECT_FALSE(forward_env_var("CUDA_HOME", false));
  EXPECT_FALSE(forward_env_var("PATH", false));
}

// A runtime that is not on PATH stops the session before anything runs, saying how to install it.
TEST(LauncherSession, MissingRuntimeSaysHowToInstallIt) {
  const char* old = std::getenv("PATH");
  const std::string saved = old ? old : "";
  ::setenv("PATH", "/nonexistent-dir", 1);
  const std::string docker = error_of([] { Session s(parse_env("docker"), {}); });
  const std::string podman = error_of([] { Session s(parse_env("podman:img"), {}); });
  const std::string oci = error_of([] { Session s(parse_env("oci:crun"), {}); });
  ::setenv("PATH", saved.c_str(), 1);
  EXPECT_TRUE(has(docker, "cannot use --env docker: docker is not installed")) << docker;
  EXPECT_TRUE(has(docker, "apt-get install docker.io")) << docker;
  EXPECT_TRUE(has(podman, "apt-get install podman")) << podman;
  EXPECT_TRUE(has(oci, "apt-get install crun")) << oci;
}

}  // namespace
}  // namespace sb::launcher
