#include "launcher/host_facts.hpp"

#include <grp.h>
#include <pwd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/path_search.hpp"

namespace sb::launcher {
namespace fs = std::filesystem;
namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string env_or_empty(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

// The NVIDIA driver's user-space libraries that CUDA programs and NVML load (the "compute" and
// "utility" sets of the NVIDIA container toolkit). They must match the kernel module, so they always
// come from the host, never from an image or a bundle.
const std::vector<std::string>& driver_library_stems() {
  static const std::vector<std::string> stems = {
      "libcuda.so",          "libcudadebugger.so",     "libnvidia-ml.so",        "libnvidia-ptxjitcompiler.so",
      "libnvidia-nvvm.so",   "libnvidia-gpucomp.so",   "libnvidia-opencl.so",    "libnvidia-cfg.so",
      "libnvidia-allocator.so", "libnvidia-fatbinaryloader.so"};
  return stems;
}

// Device nodes in a directory whose names start with `prefix`, in natural order (nvidia2 < nvidia10).
void add_char_devices(const std::string& dir, const std::string& prefix, std::vector<DeviceNode>& out) {
  std::error_code ec;
  std::vector<DeviceNode> found;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    if (name.rfind(prefix, 0) != 0) continue;
    struct stat st {};
    if (::stat(e.path().c_str(), &st) != 0 || !S_ISCHR(st.st_mode)) continue;
    found.push_back({e.path().string(), major(st.st_rdev), minor(st.st_rdev)});
  }
  std::sort(found.begin(), found.end(), [](const DeviceNode& a, const DeviceNode& b) {
    return a.path.size() != b.path.size() ? a.path.size() < b.path.size() : a.path < b.path;
  });
  out.insert(out.end(), found.begin(), found.end());
}

Rlimit rlimit_of(int resource) {
  rlimit rl{};
  if (::getrlimit(resource, &rl) != 0) return {};
  const auto v = [](rlim_t x) { return x == RLIM_INFINITY ? std::int64_t{-1} : static_cast<std::int64_t>(x); };
  return {v(rl.rlim_cur), v(rl.rlim_max)};
}

}  // namespace

std::string HostFacts::tool(const std::string& name) const {
  const auto it = tools.find(name);
  return it == tools.end() ? "" : it->second;
}

bool is_driver_library(const std::string& file_name) {
  for (const auto& stem : driver_library_stems())
    if (file_name.rfind(stem, 0) == 0 && (file_name.size() == stem.size() || file_name[stem.size()] == '.'))
      return true;
  return false;
}

std::vector<std::string> driver_libs_from_ldconfig(const std::string& output) {
  // Lines: "\tlibcuda.so.1 (libc6,x86-64) => /usr/lib/x86_64-linux-gnu/libcuda.so.1"
  std::vector<std::string> out;
  std::istringstream in(output);
  for (std::string line; std::getline(in, line);) {
    const auto arrow = line.find(" => ");
    if (arrow == std::string::npos) continue;
    const std::string path = line.substr(arrow + 4);
    if (is_driver_library(fs::path(path).filename().string()) &&
        std::find(out.begin(), out.end(), path) == out.end())
      out.push_back(path);
  }
  return out;
}

std::string cgroup_layout_from_mountinfo(const std::string& mountinfo,
                                         const std::function<std::string(const std::string&)>& controllers_of) {
  // mountinfo fields: ... mount-point ... " - " fstype source options
  bool v1 = false, v2_root = false, controllers_in_v2 = false;
  std::istringstream in(mountinfo);
  for (std::string line; std::getline(in, line);) {
    const auto dash = line.find(" - ");
    if (dash == std::string::npos) continue;
    std::istringstream pre(line.substr(0, dash)), post(line.substr(dash + 3));
    std::string id, parent, devno, root, mount_point, fstype;
    pre >> id >> parent >> devno >> root >> mount_point;
    post >> fstype;
    if (fstype == "cgroup") v1 = true;
    if (fstype != "cgroup2") continue;
    if (mount_point == "/sys/fs/cgroup") v2_root = true;
    controllers_in_v2 |= controllers_of(mount_point).find_first_not_of(" \n\t") != std::string::npos;
  }
  if (v2_root && !v1) return "v2";
  // crun refuses the hybrid layout only when controllers are enabled in the cgroup2 hierarchy.
  return v1 && controllers_in_v2 ? "hybrid" : v1 ? "v1" : "v2";
}

HostFacts probe_host(const std::vector<Runtime>& query) {
  HostFacts f;
  for (const char* name : {"docker", "podman", "apptainer", "singularity", "crun", "runc", "tar", "nvidia-smi"})
    if (auto path = find_on_path(name); !path.empty()) f.tools[name] = path;
  // ldconfig lives in /sbin, which is not on every user's PATH.
  for (const char* candidate : {"ldconfig", "/sbin/ldconfig", "/usr/sbin/ldconfig"})
    if (auto path = find_on_path(candidate); !path.empty()) {
      f.tools["ldconfig"] = path;
      break;
    }
  const auto asked = [&](Runtime r) { return std::find(query.begin(), query.end(), r) != query.end(); };
  if (asked(Runtime::Docker) && !f.tool("docker").empty())
    f.docker_info = run_child_process({.argv = {f.tool("docker"), "info", "--format", "{{json .}}"}, .timeout_s = 30});
  if (asked(Runtime::Podman) && !f.tool("podman").empty())
    f.podman_info = run_child_process({.argv = {f.tool("podman"), "info", "--format", "json"}, .timeout_s = 60});

  for (const char* name : {"crun", "runc", "apptainer", "singularity"})
    if (!f.tool(name).empty()) {
      const std::string out = run_child_process({.argv = {f.tool(name), "--version"}, .timeout_s = 10}).out;
      f.tool_versions[name] = out.substr(0, out.find('\n'));
    }

  std::error_code ec;
  for (const char* dir : {"/etc/cdi", "/var/run/cdi"})
    for (const auto& e : fs::directory_iterator(dir, ec)) {
      const auto ext = e.path().extension();
      if (ext == ".yaml" || ext == ".yml" || ext == ".json") f.cdi_specs.push_back(e.path().string());
    }

  add_char_devices("/dev", "nvidia", f.nvidia_devices);
  add_char_devices("/dev/nvidia-caps", "nvidia-cap", f.nvidia_devices);

  if (!f.tool("ldconfig").empty())
    f.driver_libs =
        driver_libs_from_ldconfig(run_child_process({.argv = {f.tool("ldconfig"), "-p"}, .timeout_s = 30}).out);
  for (const char* dir : {"/usr/local/nvidia/lib64", "/usr/local/nvidia/lib", "/usr/lib/x86_64-linux-gnu",
                          "/usr/lib/aarch64-linux-gnu", "/usr/lib64"}) {
    std::vector<std::string> found;
    for (const auto& e : fs::directory_iterator(dir, ec))
      if (is_driver_library(e.path().filename().string())) found.push_back(e.path().string());
    std::sort(found.begin(), found.end());
    for (const auto& p : found)
      if (std::find(f.driver_libs.begin(), f.driver_libs.end(), p) == f.driver_libs.end()) f.driver_libs.push_back(p);
  }

  f.cgroup_layout = cgroup_layout_from_mountinfo(
      read_file("/proc/self/mountinfo"), [](const std::string& mp) { return read_file(mp + "/cgroup.controllers"); });

  for (const char* path : {"/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc/alternatives",
                           "/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d"}) {
    struct stat st {};
    if (::lstat(path, &st) != 0) continue;
    MirrorPath m;
    m.path = path;
    if (S_ISLNK(st.st_mode)) {
      m.kind = MirrorPath::Kind::Symlink;
      m.link_target = fs::read_symlink(path, ec).string();
    } else {
      m.kind = S_ISDIR(st.st_mode) ? MirrorPath::Kind::Directory : MirrorPath::Kind::File;
    }
    f.userland.push_back(m);
  }

  f.uid = ::getuid();
  f.gid = ::getgid();
  if (const passwd* pw = ::getpwuid(f.uid)) f.user_name = pw->pw_name;
  else f.user_name = "user" + std::to_string(f.uid);
  if (const group* gr = ::getgrgid(f.gid)) f.group_name = gr->gr_name;
  else f.group_name = "group" + std::to_string(f.gid);
  f.rlimits["nofile"] = rlimit_of(RLIMIT_NOFILE);
  f.rlimits["nproc"] = rlimit_of(RLIMIT_NPROC);
  f.oci_runtime_override = env_or_empty("SPARKBENCH_OCI_RUNTIME");
  if (auto path = find_on_path(f.oci_runtime_override); !path.empty()) f.tools["SPARKBENCH_OCI_RUNTIME"] = path;
  f.docker_host = env_or_empty("DOCKER_HOST");
  return f;
}

}  // namespace sb::launcher
