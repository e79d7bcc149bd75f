#include "env/security.hpp"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <bit>
#include <filesystem>

#include <fmt/format.h>

#include "env/readers.hpp"

namespace sb::env {
namespace {

// linux/capability.h, in bit order.
constexpr std::array<const char*, 41> kCapabilities = {
    "chown",          "dac_override",   "dac_read_search", "fowner",          "fsetid",
    "kill",           "setgid",         "setuid",          "setpcap",         "linux_immutable",
    "net_bind_service", "net_broadcast", "net_admin",      "net_raw",         "ipc_lock",
    "ipc_owner",      "sys_module",     "sys_rawio",       "sys_chroot",      "sys_ptrace",
    "sys_pacct",      "sys_admin",      "sys_boot",        "sys_nice",        "sys_resource",
    "sys_time",       "sys_tty_config", "mknod",           "lease",           "audit_write",
    "audit_control",  "setfcap",        "mac_override",    "mac_admin",       "syslog",
    "wake_alarm",     "block_suspend",  "audit_read",      "perfmon",         "bpf",
    "checkpoint_restore"};

std::optional<std::string> status_field(std::string_view status, std::string_view key) {
  for (const std::string& line : split_words(status, '\n')) {
    if (line.size() > key.size() && line.compare(0, key.size(), key) == 0 && line[key.size()] == ':')
      return trim(std::string_view(line).substr(key.size() + 1));
  }
  return std::nullopt;
}

std::optional<std::uint64_t> hex_field(std::string_view status, std::string_view key) {
  const auto v = status_field(status, key);
  if (!v) return std::nullopt;
  try {
    return std::stoull(*v, nullptr, 16);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace

std::vector<std::string> capability_names(std::uint64_t mask) {
  std::vector<std::string> out;
  for (unsigned bit = 0; bit < 64; ++bit)
    if (mask >> bit & 1) out.push_back(bit < kCapabilities.size() ? kCapabilities[bit] : fmt::format("cap_{}", bit));
  return out;
}

std::string trim_label(std::string_view text) {
  std::string t(text);
  std::erase(t, '\0');
  return trim(t);
}

nlohmann::json security_section(std::string_view proc_status, const std::string& apparmor_label,
                                const std::string& selinux_label, bool root, int last_capability) {
  nlohmann::json j;
  const auto mode = status_field(proc_status, "Seccomp");
  j["seccomp_mode"] = !mode ? nlohmann::json(nullptr)
                      : *mode == "0" ? nlohmann::json("disabled")
                      : *mode == "1" ? nlohmann::json("strict")
                      : *mode == "2" ? nlohmann::json("filter")
                                     : nlohmann::json(*mode);
  const auto filters = status_field(proc_status, "Seccomp_filters");
  j["seccomp_filters"] = filters ? nlohmann::json(std::stoi(*filters)) : nlohmann::json(nullptr);
  const auto nnp = status_field(proc_status, "NoNewPrivs");
  j["no_new_privs"] = nnp ? nlohmann::json(*nnp == "1") : nlohmann::json(nullptr);
  const auto eff = hex_field(proc_status, "CapEff");
  j["capabilities_effective"] = eff ? nlohmann::json(std::popcount(*eff)) : nlohmann::json(nullptr);
  // Root with fewer than all capabilities is a container's default set (Docker drops sys_admin,
  // sys_ptrace, net_admin, ...): name what is missing.
  j["capabilities_missing"] = nullptr;
  if (eff && root) {
    const int last = std::clamp(last_capability, 0, 62);
    const std::uint64_t all = (std::uint64_t{1} << (last + 1)) - 1;
    j["capabilities_missing"] = capability_names(all & ~*eff);
  }
  j["apparmor"] = apparmor_label.empty() ? nlohmann::json(nullptr) : nlohmann::json(apparmor_label);
  j["selinux"] = selinux_label.empty() ? nlohmann::json(nullptr) : nlohmann::json(selinux_label);
  return j;
}

nlohmann::json capture_security() {
  const std::string status = read_file("/proc/self/status").value_or("");
  // AppArmor's own file (Linux 5.1+) first; the shared attr/current holds the label of whichever LSM
  // is the major one, which on an SELinux system is SELinux's.
  std::string apparmor = trim_label(read_file("/proc/self/attr/apparmor/current").value_or(""));
  std::string selinux;
  if (std::filesystem::exists("/sys/fs/selinux/enforce")) {
    selinux = trim_label(read_file("/proc/self/attr/current").value_or(""));
  } else if (apparmor.empty() && std::filesystem::exists("/sys/kernel/security/apparmor")) {
    apparmor = trim_label(read_file("/proc/self/attr/current").value_or(""));
  }
  // The kernel's highest capability: an older kernel has no perfmon, bpf or checkpoint_restore.
  int last = static_cast<int>(kCapabilities.size()) - 1;
  try {
    last = std::stoi(read_first_line("/proc/sys/kernel/cap_last_cap").value_or(std::to_string(last)));
  } catch (const std::exception&) {
  }
  return security_section(status, apparmor, selinux, ::geteuid() == 0, last);
}

}  // namespace sb::env
