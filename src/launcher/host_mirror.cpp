#include "launcher/host_mirror.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <fstream>

#include <fmt/format.h>

#include "core/error.hpp"
#include "core/version.hpp"

namespace sb::launcher {
namespace fs = std::filesystem;

std::vector<RootfsEntry> minimal_rootfs(const HostFacts& facts) {
  using K = RootfsEntry::Kind;
  std::vector<RootfsEntry> e;
  for (const char* dir : {"/etc", "/proc", "/sys", "/dev", "/run", "/root", "/home", "/var", "/sparkbench-io", "/sparkbench"})
    e.push_back({K::Directory, dir, "", 0755});
  e.push_back({K::Directory, "/tmp", "", 01777});
  e.push_back({K::Directory, "/var/tmp", "", 01777});
  for (const auto& m : facts.userland) {
    if (m.kind == MirrorPath::Kind::Symlink) e.push_back({K::Symlink, m.path, m.link_target, 0777});
    else if (m.kind == MirrorPath::Kind::Directory) e.push_back({K::Directory, m.path, "", 0755});
    else e.push_back({K::File, m.path, "", 0644});
  }
  std::string passwd = "root:x:0:0:root:/root:/bin/sh\n";
  std::string group = "root:x:0:\n";
  if (facts.uid != 0) passwd += fmt::format("{}:x:{}:{}::/tmp:/bin/sh\n", facts.user_name, facts.uid, facts.gid);
  if (facts.gid != 0) group += fmt::format("{}:x:{}:\n", facts.group_name, facts.gid);
  passwd += "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n";
  group += "nogroup:x:65534:\n";
  e.push_back({K::File, "/etc/passwd", passwd, 0644});
  e.push_back({K::File, "/etc/group", group, 0644});
  return e;
}

void write_rootfs(const std::vector<RootfsEntry>& entries, const fs::path& dir, const std::vector<Mount>& mounts) {
  const auto at = [&](const std::string& p) { return dir / fs::path(p).relative_path(); };
  std::error_code ec;
  for (const auto& e : entries) {
    const fs::path target = at(e.path);
    fs::create_directories(target.parent_path(), ec);
    switch (e.kind) {
      case RootfsEntry::Kind::Directory: fs::create_directories(target, ec); break;
      case RootfsEntry::Kind::File: {
        std::ofstream out(target, std::ios::binary | std::ios::trunc);
        out << e.content;
        if (!out) throw Error(fmt::format("cannot write {}", target.string()), "check the temporary directory ($TMPDIR)");
        break;
      }
      case RootfsEntry::Kind::Symlink:
        fs::remove(target, ec);
        fs::create_symlink(e.content, target, ec);
        break;
    }
    if (e.kind != RootfsEntry::Kind::Symlink) ::chmod(target.c_str(), e.mode);
    if (ec) throw Error(fmt::format("cannot create {}: {}", target.string(), ec.message()), "check the temporary directory ($TMPDIR)");
  }
  for (const auto& m : mounts) {
    const fs::path target = at(m.target);
    if (fs::exists(fs::symlink_status(target))) continue;
    fs::create_directories(target.parent_path(), ec);
    if (fs::is_directory(m.source)) {
      fs::create_directories(target, ec);
    } else {
      std::ofstream touch(target);
    }
  }
}

std::string host_mirror_tag(const std::vector<RootfsEntry>& entries) {
  std::uint64_t h = 1469598103934665603ull;  // FNV-1a 64
  const auto mix = [&](const std::string& s) {
    for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
    h = (h ^ 0xff) * 1099511628211ull;
  };
  for (const auto& e : entries) {
    mix(std::to_string(static_cast<int>(e.kind)) + e.path);
    mix(e.content);
    mix(std::to_string(e.mode));
  }
  return fmt::format("sparkbench/host-mirror:{}-{:08x}", kVersion, static_cast<std::uint32_t>(h ^ (h >> 32)));
}

std::vector<Mount> host_mirror_mounts(const HostFacts& facts, const std::vector<std::string>& extra_paths) {
  std::vector<Mount> mounts;
  std::vector<std::string> visible;
  for (const auto& m : facts.userland) {
    visible.push_back(m.path);
    if (m.kind != MirrorPath::Kind::Symlink) mounts.push_back({m.path, m.path, true});
  }
  for (const auto& p : extra_paths) {
    const bool covered = std::any_of(visible.begin(), visible.end(), [&](const std::string& v) {
      return p == v || p.rfind(v + "/", 0) == 0;
    });
    if (covered || p.empty()) continue;
    mounts.push_back({p, p, true});
    visible.push_back(p);
  }
  return mounts;
}

}  // namespace sb::launcher
