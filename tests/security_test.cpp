// env/security: /proc/self/status text as a Docker container's default profile shows it (Seccomp 2,
// one filter, Docker's default capability set: CapEff 00000000a80425fb, from moby's
// oci/caps/defaults.go) and as an unconfined root shell shows it.
#include <algorithm>

#include <gtest/gtest.h>

#include "env/security.hpp"

namespace sb::env {
namespace {

constexpr const char* kDockerStatus =
    "Name:\tsparkbench\nUmask:\t0022\nCapInh:\t0000000000000000\nCapPrm:\t00000000a80425fb\n"
    "CapEff:\t00000000a80425fb\nCapBnd:\t00000000a80425fb\nNoNewPrivs:\t0\nSeccomp:\t2\nSeccomp_filters:\t1\n";
constexpr const char* kHostStatus = "Name:\tbash\nCapEff:\t000001ffffffffff\nNoNewPrivs:\t0\nSeccomp:\t0\nSeccomp_filters:\t0\n";

TEST(Security, DockersDefaultProfileShowsItsFilterAndTheCapabilitiesItDrops) {
  const auto j = security_section(kDockerStatus, "docker-default (enforce)", "", true);
  EXPECT_EQ(j["seccomp_mode"], "filter");
  EXPECT_EQ(j["seccomp_filters"], 1);
  EXPECT_EQ(j["no_new_privs"], false);
  EXPECT_EQ(j["capabilities_effective"], 14);  // Docker's 14 default capabilities
  const auto missing = j["capabilities_missing"].get<std::vector<std::string>>();
  for (const char* cap : {"sys_admin", "sys_ptrace", "net_admin", "sys_nice", "ipc_lock"})
    EXPECT_NE(std::find(missing.begin(), missing.end(), cap), missing.end()) << cap;
  EXPECT_EQ(std::find(missing.begin(), missing.end(), "chown"), missing.end());
  EXPECT_EQ(j["apparmor"], "docker-default (enforce)");
  EXPECT_TRUE(j["selinux"].is_null());
}

TEST(Security, AnUnconfinedRootHasEveryCapabilityAndNoFilter) {
  const auto j = security_section(kHostStatus, "unconfined", "", true);
  EXPECT_EQ(j["seccomp_mode"], "disabled");
  EXPECT_EQ(j["capabilities_effective"], 41);
  EXPECT_TRUE(j["capabilities_missing"].empty());
  // Not root: the missing list would only say what a user never has.
  EXPECT_TRUE(security_section(kHostStatus, "", "", false)["capabilities_missing"].is_null());
  EXPECT_TRUE(security_section("", "", "", true)["seccomp_mode"].is_null());
  // A kernel whose last capability is audit_read (37): perfmon, bpf, checkpoint_restore do not exist.
  EXPECT_TRUE(security_section("CapEff:\t0000003fffffffff\n", "", "", true, 37)["capabilities_missing"].empty());
}

TEST(Security, NamesCapabilityBits) {
  EXPECT_EQ(capability_names(0x1), std::vector<std::string>{"chown"});
  EXPECT_EQ(capability_names(std::uint64_t{1} << 21), std::vector<std::string>{"sys_admin"});
  EXPECT_EQ(capability_names(std::uint64_t{1} << 50), std::vector<std::string>{"cap_50"});
  EXPECT_EQ(trim_label(std::string("unconfined\n\0", 12)), "unconfined");
  EXPECT_TRUE(capture_security().contains("seccomp_mode"));
}

}  // namespace
}  // namespace sb::env
