// Kernel caches (env/jit_caches): where each lives as its tool resolves it, and whether it outlives
// the container. The mountinfo lines are in the kernel's format (Documentation/filesystems/proc.rst,
// "/proc/<pid>/mountinfo"), as a Docker container shows them: the root an overlay, a bind-mounted
// cache, a tmpfs.
#include <gtest/gtest.h>

#include "env/jit_caches.hpp"

namespace sb::env {
namespace {

constexpr const char* kDockerMountinfo =
    "612 540 0:52 / / rw,relatime master:282 - overlay overlay rw,lowerdir=/var/lib/docker/l/A,upperdir=/u,workdir=/w\n"
    "613 612 0:55 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw\n"
    "620 612 0:57 / /dev/shm rw,nosuid,nodev,noexec,relatime - tmpfs shm rw,size=65536k\n"
    "630 612 259:2 /home/me/.nv /root/.nv rw,relatime - ext4 /dev/nvme0n1p2 rw\n"
    "631 612 259:2 /srv/my\\040models /models ro,relatime - ext4 /dev/nvme0n1p2 rw\n";

TEST(JitCaches, FindsTheMountOfAPath) {
  const auto mounts = parse_mountinfo(kDockerMountinfo);
  ASSERT_EQ(mounts.size(), 5u);
  EXPECT_EQ(mounts[4].root, "/srv/my models");  // \040 is a space
  EXPECT_EQ(mount_of(mounts, "/root/.nv/ComputeCache")->mount_point, "/root/.nv");
  EXPECT_EQ(mount_of(mounts, "/root/.nvidia")->mount_point, "/");  // a prefix of the name is not a parent
  EXPECT_EQ(mount_of(mounts, "/dev/shm/x")->fstype, "tmpfs");
}

TEST(JitCaches, SaysWhetherACacheOutlivesTheContainer) {
  const auto mounts = parse_mountinfo(kDockerMountinfo);
  EXPECT_EQ(persistence(*mount_of(mounts, "/root/.nv/ComputeCache"), true), "persistent");  // bind-mounted
  EXPECT_EQ(persistence(*mount_of(mounts, "/root/.triton/cache"), true),
            "container layer (lost when a --rm container ends)");
  EXPECT_EQ(persistence(*mount_of(mounts, "/dev/shm/cache"), true), "tmpfs (lost when it is unmounted)");
  EXPECT_EQ(persistence(*mount_of(mounts, "/root/.triton/cache"), false), "persistent");  // a host's root
}

TEST(JitCaches, ResolvesEachCacheAsItsToolDoes) {
  auto paths = jit_cache_paths({{"HOME", "/home/me"}, {"USER", "me"}});
  EXPECT_EQ(paths.at("cuda_compute_cache"), "/home/me/.nv/ComputeCache");
  EXPECT_EQ(paths.at("triton"), "/home/me/.triton/cache");
  EXPECT_EQ(paths.at("torchinductor"), "/tmp/torchinductor_me");
  EXPECT_EQ(paths.at("vllm"), "/home/me/.cache/vllm");
  paths = jit_cache_paths({{"HOME", "/home/me"}, {"CUDA_CACHE_PATH", "/cache/cuda"}, {"XDG_CACHE_HOME", "/xdg"}});
  EXPECT_EQ(paths.at("cuda_compute_cache"), "/cache/cuda");
  EXPECT_EQ(paths.at("vllm"), "/xdg/vllm");
}

TEST(JitCaches, TheSnapshotNamesEveryCache) {
  const auto j = capture_jit_caches(false);
  for (const char* name : {"cuda_compute_cache", "triton", "torchinductor", "vllm"}) {
    ASSERT_TRUE(j.at("caches").contains(name)) << name;
    EXPECT_TRUE(j["caches"][name].contains("persists")) << j.dump();
  }
}

}  // namespace
}  // namespace sb::env
