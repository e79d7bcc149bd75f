#pragma once
// `ab --drop-caches`: the page cache (and dentries, inodes) dropped before each run, so that every
// run starts with the same free memory. On an integrated GPU (GB10) cudaMemGetInfo's free memory
// follows MemFree, which leaves out the page cache: a cache warmed by the run before shrinks the KV
// cache an engine sizes on it, and the side that runs second would look slower.
#include <filesystem>

namespace sb::session {

inline constexpr const char* kDropCachesControl = "/proc/sys/vm/drop_caches";

// Throws sb::Error (exit 2) when `control` cannot be opened for writing: it needs root, and a
// writable /proc/sys (not a container's). Opening it drops nothing.
void check_can_drop_caches(const std::filesystem::path& control = kDropCachesControl);

// sync(), then "3" written to `control` (page cache, dentries and inodes). Throws sb::Error (exit 1)
// when the write fails.
void drop_caches(const std::filesystem::path& control = kDropCachesControl);

}  // namespace sb::session
