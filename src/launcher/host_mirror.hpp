#pragma once
// Host-mirror mode: a minimal root filesystem (empty mount points, the host's merged-usr symlinks,
// /etc/passwd and /etc/group) with the host's userland mounted read-only on top. The binary and
// every library are the host's own files, so a difference against native is containerization:
// namespaces, cgroups, seccomp, the runtime.
#include <filesystem>
#include <string>
#include <vector>

#include "launcher/host_facts.hpp"
#include "launcher/launcher.hpp"

namespace sb::launcher {

struct RootfsEntry {
  enum class Kind { Directory, File, Symlink } kind = Kind::Directory;
  std::string path;     // absolute, inside the container ("/usr", "/etc/passwd")
  std::string content;  // file content, or the symlink target
  unsigned mode = 0755;
};

// The minimal root filesystem for this host.
std::vector<RootfsEntry> minimal_rootfs(const HostFacts& facts);

// Creates the entries under dir (which must exist), plus a directory for every mount target that
// is not there yet (a read-only OCI root cannot grow mount points later).
void write_rootfs(const std::vector<RootfsEntry>& entries, const std::filesystem::path& dir,
                  const std::vector<Mount>& mounts = {});

// "sparkbench/host-mirror:<version>-<hash of the entries>": a host whose layout or user changes
// gets a new image instead of a stale one.
std::string host_mirror_tag(const std::vector<RootfsEntry>& entries);

// Read-only mounts of the host userland (/usr, /lib*, /bin, /sbin, /etc/alternatives,
// /etc/ld.so.cache, /etc/ld.so.conf*) and of each extra path (the sparkbench binary's directory,
// the config directory, library directories outside the userland) at the same path, skipping
// those already visible through another mount.
std::vector<Mount> host_mirror_mounts(const HostFacts& facts, const std::vector<std::string>& extra_paths);

}  // namespace sb::launcher
