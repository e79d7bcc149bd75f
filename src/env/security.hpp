#pragma once
// The process's security confinement: the seccomp filter (Docker's default profile and Kubernetes'
// RuntimeDefault run every syscall through BPF programs: a steady cost on the syscall layer), the
// capabilities it holds, no_new_privs, and its AppArmor or SELinux label. Read from /proc/self so
// that it describes the measured process wherever it runs.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace sb::env {

// Capability names of the bits set in `mask` (CAP_CHOWN = bit 0 ... CAP_CHECKPOINT_RESTORE = 40,
// linux/capability.h); an unknown bit reads "cap_<n>".
std::vector<std::string> capability_names(std::uint64_t mask);

// "docker-default (enforce)" from /proc/self/attr/apparmor/current's text; "unconfined" stays.
std::string trim_label(std::string_view text);

// {seccomp_mode: "disabled"|"strict"|"filter", seccomp_filters, no_new_privs, capabilities_effective
// (count), capabilities_missing (when running as root: the capabilities up to the kernel's
// `last_capability` (/proc/sys/kernel/cap_last_cap) that this process lacks), apparmor, selinux}
nlohmann::json security_section(std::string_view proc_status, const std::string& apparmor_label,
                                const std::string& selinux_label, bool root, int last_capability = 40);

nlohmann::json capture_security();

}  // namespace sb::env
