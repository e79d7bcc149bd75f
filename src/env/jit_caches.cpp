#include "env/jit_caches.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <string>

#include <pwd.h>
#include <unistd.h>

#include "env/readers.hpp"

namespace sb::env {
namespace {

namespace fs = std::filesystem;

// Bytes and files under dir, counting at most kMaxEntries entries (a huge cache is still "large").
constexpr std::size_t kMaxEntries = 200000;
std::pair<std::uintmax_t, std::size_t> usage(const fs::path& dir) {
  std::uintmax_t bytes = 0;
  std::size_t files = 0, seen = 0;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec), end;
       !ec && it != end && seen < kMaxEntries; it.increment(ec), ++seen) {
    std::error_code fe;
    if (it->is_regular_file(fe)) {
      bytes += it->file_size(fe);
      ++files;
    }
  }
  return {bytes, files};
}

}  // namespace

std::vector<MountPoint> parse_mountinfo(std::string_view mountinfo) {
  // "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue"
  std::vector<MountPoint> out;
  std::istringstream in{std::string(mountinfo)};
  for (std::string line; std::getline(in, line);) {
    const auto f = split_words(line, ' ');
    const auto dash = std::find(f.begin(), f.end(), "-");
    if (f.size() < 5 || dash == f.end() || f.end() - dash < 3) continue;
    out.push_back({unescape_octal(f[3]), unescape_octal(f[4]), *(dash + 1), unescape_octal(*(dash + 2))});
  }
  return out;
}

const MountPoint* mount_of(const std::vector<MountPoint>& mounts, const std::string& path) {
  const MountPoint* best = nullptr;
  for (const MountPoint& m : mounts) {
    const std::string& p = m.mount_point;
    const bool prefix = path == p || p == "/" || (path.starts_with(p) && path.size() > p.size() && path[p.size()] == '/');
    // The later of two mounts at one point hides the earlier: >= keeps the last.
    if (prefix && (!best || p.size() >= best->mount_point.size())) best = &m;
  }
  return best;
}

std::string persistence(const MountPoint& m, bool in_container) {
  if (m.fstype == "tmpfs" || m.fstype == "ramfs") return "tmpfs (lost when it is unmounted)";
  if (in_container && m.mount_point == "/" && (m.fstype == "overlay" || m.fstype == "fuse-overlayfs"))
    return "container layer (lost when a --rm container ends)";
  return "persistent";
}

std::map<std::string, std::string> jit_cache_paths(const std::map<std::string, std::string>& env) {
  const auto get = [&](const char* name) {
    const auto it = env.find(name);
    return it == env.end() ? std::string() : it->second;
  };
  const std::string home = get("HOME").empty() ? "/root" : get("HOME");
  const std::string xdg_cache = get("XDG_CACHE_HOME").empty() ? home + "/.cache" : get("XDG_CACHE_HOME");
  const passwd* pw = ::getpwuid(::getuid());  // torch names its directory by getpass.getuser()
  const std::string user = !get("USER").empty() ? get("USER") : pw ? pw->pw_name : std::to_string(::getuid());
  const auto either = [&](const char* name, const std::string& fallback) {
    return get(name).empty() ? fallback : get(name);
  };
  // Defaults: CUDA C++ Programming Guide, "CUDA Environment Variables" (CUDA_CACHE_PATH);
  // triton/runtime/cache.py (~/.triton/cache); torch/_inductor (/tmp/torchinductor_<user>);
  // vllm/envs.py (VLLM_CACHE_ROOT, XDG_CACHE_HOME/vllm).
  return {{"cuda_compute_cache", either("CUDA_CACHE_PATH", home + "/.nv/ComputeCache")},
          {"triton", either("TRITON_CACHE_DIR", home + "/.triton/cache")},
          {"torchinductor", either("TORCHINDUCTOR_CACHE_DIR", "/tmp/torchinductor_" + user)},
          {"vllm", either("VLLM_CACHE_ROOT", xdg_cache + "/vllm")}};
}

nlohmann::json capture_jit_caches(bool in_container) {
  const auto env = process_environment();
  const auto mounts = parse_mountinfo(read_file("/proc/self/mountinfo").value_or(""));
  const auto value = [&](const char* name) {
    const auto it = env.find(name);
    return it == env.end() ? nlohmann::json(nullptr) : nlohmann::json(it->second);
  };
  nlohmann::json caches = nlohmann::json::object();
  for (const auto& [name, path] : jit_cache_paths(env)) {
    std::error_code ec;
    const bool exists = fs::is_directory(path, ec);
    nlohmann::json c = {{"path", path}, {"exists", exists}};
    if (exists) {
      const auto [bytes, files] = usage(path);
      c["bytes"] = bytes;
      c["files"] = files;
    }
    // Where it is (or would be created): the nearest existing ancestor's mount.
    fs::path probe = path;
    while (!probe.empty() && probe != probe.root_path() && !fs::exists(probe, ec)) probe = probe.parent_path();
    if (const MountPoint* m = mount_of(mounts, fs::weakly_canonical(probe, ec).string())) {
      c["mount_point"] = m->mount_point;
      c["fstype"] = m->fstype;
      c["persists"] = persistence(*m, in_container);
    }
    caches[name] = c;
  }
  return {{"cuda_cache_disable", value("CUDA_CACHE_DISABLE")},
          {"cuda_cache_maxsize", value("CUDA_CACHE_MAXSIZE")},
          {"caches", caches}};
}

}  // namespace sb::env
