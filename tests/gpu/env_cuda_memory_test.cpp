// The snapshot's CUDA devices carry cudaMemGetInfo's free and total memory (on an integrated GPU
// "free" follows MemFree, which the page cache shrinks). Skips without a CUDA device.
#include <cuda_runtime_api.h>

#include <gtest/gtest.h>

#include "env/environment.hpp"

namespace sb::env {
namespace {

TEST(EnvCudaGpu, EachDeviceHasCudasFreeAndTotalMemory) {
  const nlohmann::json cuda = capture().value("cuda", nlohmann::json::object());
  const nlohmann::json devices = cuda.value("devices", nlohmann::json::array());
  if (devices.empty()) GTEST_SKIP() << "no CUDA device: " << cuda.dump();
  for (const auto& d : devices) {
    ASSERT_TRUE(d["memory_free_bytes"].is_number_unsigned()) << d.dump();
    ASSERT_TRUE(d["memory_total_bytes"].is_number_unsigned()) << d.dump();
    const auto free = d["memory_free_bytes"].get<std::uint64_t>(), total = d["memory_total_bytes"].get<std::uint64_t>();
    EXPECT_GT(free, 0u);
    EXPECT_LE(free, total);
    EXPECT_LE(total, d["total_memory_bytes"].get<std::uint64_t>());
    EXPECT_FALSE(d.contains("memory_info_error"));
  }
  int current = -1;
  ASSERT_EQ(cudaGetDevice(&current), cudaSuccess);
  EXPECT_EQ(current, 0) << "the snapshot left another device current";
}

}  // namespace
}  // namespace sb::env
