// The oci launcher: crun or runc driven directly with a generated OCI bundle (config.json plus a
// minimal rootfs), for hosts without Docker or Podman. It runs as root, without user namespaces.
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "core/error.hpp"
#include "launcher/launcher.hpp"
#include "launcher/launchers.hpp"

namespace sb::launcher {
namespace {

using nlohmann::json;

constexpr std::int64_t kCfsPeriodUs = 100000;         // docker's --cpus uses the same 100 ms period
constexpr const char* kDefaultShmSize = "64m";        // docker's default, so the two compare like for like
constexpr const char* kPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

// Docker's default capability set, so that oci and docker containers can do the same things.
const std::vector<std::string>& default_capabilities() {
  static const std::vector<std::string> caps = {
      "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID",
      "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE"};
  return caps;
}

std::pair<unsigned, unsigned> numeric_user(const std::string& user) {
  if (user.empty()) return {0, 0};
  const auto colon = user.find(':');
  const std::string uid = user.substr(0, colon), gid = colon == std::string::npos ? uid : user.substr(colon + 1);
  const auto digits = [](const std::string& s) { return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos; };
  if (!digits(uid) || !digits(gid))
    throw Error(fmt::format("--user '{}': the oci launcher needs numeric ids", user), "write --user UID[:GID], e.g. --user 1000:1000");
  return {static_cast<unsigned>(std::stoul(uid)), static_cast<unsigned>(std::stoul(gid))};
}

// type nullptr: every device (the spec's default-deny form).
json device_rule(bool allow, const char* type, std::int64_t major, std::int64_t minor) {
  json r = {{"allow", allow}, {"access", "rwm"}};
  if (type) r["type"] = type;
  if (major >= 0) r["major"] = major;
  if (minor >= 0) r["minor"] = minor;
  return r;
}

class OciLauncher final : public Launcher {
 public:
  using Launcher::Launcher;

  Availability probe(const HostFacts& facts) const override {
    Availability a;
    const std::string binary = oci_runtime_binary(spec(), facts);
    if (binary.empty()) {
      if (!facts.oci_runtime_override.empty() && spec().oci_runtime.empty()) {
        a.problem = fmt::format("SPARKBENCH_OCI_RUNTIME={} is not an executable", facts.oci_runtime_override);
        a.fix = "point SPARKBENCH_OCI_RUNTIME at a crun or runc binary, or unset it to use the one on PATH";
      } else {
        const std::string which = spec().oci_runtime.empty() ? "crun or runc" : spec().oci_runtime;
        a.problem = fmt::format("no OCI runtime: {} is not on PATH", which);
        a.fix = fmt::format("install it: sudo apt-get install {} (or set SPARKBENCH_OCI_RUNTIME=/path/to/crun)",
                            spec().oci_runtime.empty() ? "crun" : spec().oci_runtime);
      }
      return a;
    }
    const std::string name = binary.substr(binary.rfind('/') + 1);
    if (facts.uid != 0) {
      a.problem = "the oci launcher runs " + name + " as root (no user namespaces), and sparkbench is not running as root";
      a.fix = "run it with sudo, or use --env podman for rootless containers";
      return a;
    }
    if (name.find("crun") != std::string::npos && facts.cgroup_layout == "hybrid") {
      a.problem = "crun refuses this host's hybrid cgroup layout (controllers in both cgroup v1 and v2)";
      a.fix = "use --env oci:runc (sudo apt-get install runc)";
      return a;
    }
    a.usable = true;
    const auto v = facts.tool_versions.find(name);
    a.version = v != facts.tool_versions.end() && !v->second.empty() ? v->second : binary;
    a.notes.push_back("runtime " + binary + ", cgroup " + facts.cgroup_layout);
    return a;
  }

  GpuChoice gpu(const HostFacts& facts) const override {
    if (!facts.has_gpu()) return {GpuInjection::None, "no /dev/nvidia* device on this host"};
    return {GpuInjection::Devices, "the OCI bundle lists the /dev/nvidia* nodes; the host-mirrored userland carries the driver libraries"};
  }

  ContainerOptions effective_options(const ContainerOptions& given, const HostFacts& facts) const override {
    ContainerOptions o = given;
    numeric_user(o.user);  // validates
    if (o.shm_size.empty() && !o.ipc_host) o.shm_size = kDefaultShmSize;
    // Without explicit rlimits the container would keep the runtime's own; the caller's are what
    // the native run has.
    for (const char* name : {"nofile", "nproc"}) {
      bool given_already = false;
      for (const auto& u : o.ulimits) given_already |= u.name == name;
      const auto it = facts.rlimits.find(name);
      if (!given_already && it != facts.rlimits.end()) o.ulimits.push_back({name, it->second.soft, it->second.hard});
    }
    return o;
  }

  std::vector<std::string> command(const ContainerRun& run, const HostFacts& facts) const override {
    const std::string binary = oci_runtime_binary(spec(), facts);
    return {binary.empty() ? "crun" : binary, "run", "--bundle", run.bundle_dir, run.name};
  }
};

}  // namespace

std::string oci_runtime_binary(const EnvSpec& spec, const HostFacts& facts) {
  if (!spec.oci_runtime.empty()) return facts.tool(spec.oci_runtime);
  if (!facts.oci_runtime_override.empty()) return facts.tool("SPARKBENCH_OCI_RUNTIME");
  const bool hybrid = facts.cgroup_layout == "hybrid";
  for (const char* name : hybrid ? std::vector<const char*>{"runc", "crun"} : std::vector<const char*>{"crun", "runc"})
    if (!facts.tool(name).empty()) return facts.tool(name);
  return "";
}

json oci_config(const ContainerRun& run, const HostFacts&) {
  const ContainerOptions& o = run.options;
  const auto [uid, gid] = numeric_user(o.user);

  json env = json::array({std::string("PATH=") + kPath});
  for (const auto& [k, v] : run.env) env.push_back(k + "=" + v);
  json rlimits = json::array();
  for (const auto& u : o.ulimits)
    rlimits.push_back({{"type", u.rlimit_name()},
                       {"soft", u.soft < 0 ? UINT64_MAX : static_cast<std::uint64_t>(u.soft)},
                       {"hard", u.hard < 0 ? UINT64_MAX : static_cast<std::uint64_t>(u.hard)}});
  const json caps = default_capabilities();
  json process = {{"terminal", false},
                  {"user", {{"uid", uid}, {"gid", gid}}},
                  {"args", run.argv},
                  {"env", env},
                  {"cwd", run.workdir.empty() ? "/" : run.workdir},
                  {"capabilities", {{"bounding", caps}, {"effective", caps}, {"permitted", caps}}},
                  {"rlimits", rlimits},
                  {"noNewPrivileges", true}};

  json mounts = json::array({
      {{"destination", "/proc"}, {"type", "proc"}, {"source", "proc"}},
      {{"destination", "/dev"}, {"type", "tmpfs"}, {"source", "tmpfs"},
       {"options", {"nosuid", "strictatime", "mode=755", "size=65536k"}}},
      {{"destination", "/dev/pts"}, {"type", "devpts"}, {"source", "devpts"},
       {"options", {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"}}},
      {{"destination", "/dev/mqueue"}, {"type", "mqueue"}, {"source", "mqueue"}, {"options", {"nosuid", "noexec", "nodev"}}},
      {{"destination", "/sys"}, {"type", "sysfs"}, {"source", "sysfs"}, {"options", {"nosuid", "noexec", "nodev", "ro"}}},
      {{"destination", "/sys/fs/cgroup"}, {"type", "cgroup"}, {"source", "cgroup"},
       {"options", {"nosuid", "noexec", "nodev", "relatime", "ro"}}},
      {{"destination", "/tmp"}, {"type", "tmpfs"}, {"source", "tmpfs"}, {"options", {"nosuid", "nodev", "mode=1777"}}},
  });
  if (o.ipc_host)
    mounts.push_back({{"destination", "/dev/shm"}, {"type", "bind"}, {"source", "/dev/shm"}, {"options", {"rbind", "rw"}}});
  else
    mounts.push_back({{"destination", "/dev/shm"}, {"type", "tmpfs"}, {"source", "shm"},
                      {"options", {"nosuid", "noexec", "nodev", "mode=1777",
                                   fmt::format("size={}", parse_size(o.shm_size.empty() ? kDefaultShmSize : o.shm_size, "--shm-size"))}}});
  // Parents before children: /usr before a library mounted below it.
  std::vector<Mount> binds = run.mounts;
  std::stable_sort(binds.begin(), binds.end(), [](const Mount& a, const Mount& b) {
    return std::count(a.target.begin(), a.target.end(), '/') < std::count(b.target.begin(), b.target.end(), '/');
  });
  for (const auto& m : binds)
    mounts.push_back({{"destination", m.target}, {"type", "bind"}, {"source", m.source},
                      {"options", {"rbind", m.read_only ? "ro" : "rw"}}});

  json namespaces = json::array({{{"type", "pid"}}, {{"type", "uts"}}, {{"type", "mount"}}});
  if (!o.ipc_host) namespaces.push_back({{"type", "ipc"}});
  if (o.network != "host") namespaces.push_back({{"type", "network"}});

  json devices = json::array();
  // Default deny, then what every container gets (docker's list), then the GPU nodes.
  json device_rules = json::array({device_rule(false, nullptr, -1, -1)});
  for (const auto& [major, minor] : std::vector<std::pair<int, int>>{{1, 3}, {1, 5}, {1, 7}, {1, 8}, {1, 9}, {5, 0}, {5, 2}})
    device_rules.push_back(device_rule(true, "c", major, minor));
  device_rules.push_back(device_rule(true, "c", 136, -1));  // /dev/pts/*
  for (const auto& d : run.devices) {
    devices.push_back({{"path", d.path}, {"type", "c"}, {"major", d.major}, {"minor", d.minor},
                       {"fileMode", 0666}, {"uid", 0}, {"gid", 0}});
    device_rules.push_back(device_rule(true, "c", d.major, d.minor));
  }
  json resources = {{"devices", device_rules}};
  if (o.cpus)
    resources["cpu"]["quota"] = static_cast<std::int64_t>(std::llround(*o.cpus * static_cast<double>(kCfsPeriodUs)));
  if (o.cpus) resources["cpu"]["period"] = kCfsPeriodUs;
  if (!o.cpuset_cpus.empty()) resources["cpu"]["cpus"] = o.cpuset_cpus;
  if (!o.memory.empty()) resources["memory"]["limit"] = parse_size(o.memory, "--memory");

  json linux_section = {
      {"namespaces", namespaces},
      {"devices", devices},
      {"resources", resources},
      {"cgroupsPath", "/sparkbench/" + run.name},
      {"maskedPaths", {"/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
                       "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi"}},
      {"readonlyPaths", {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"}}};
  return {{"ociVersion", "1.0.2"},
          {"process", process},
          {"root", {{"path", "rootfs"}, {"readonly", true}}},
          {"hostname", "sparkbench"},
          {"mounts", mounts},
          {"linux", linux_section}};
}

std::unique_ptr<Launcher> make_oci_launcher(const EnvSpec& spec) { return std::make_unique<OciLauncher>(spec); }

}  // namespace sb::launcher
