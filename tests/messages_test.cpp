// Error messages that name the real cause: a directory given as the config, a tab in YAML
// indentation, a machine without any NVIDIA driver.
#include <dlfcn.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "config/config.hpp"
#include "core/gpu_presence.hpp"
#include "env/readers.hpp"
#include "test_support.hpp"

namespace sb {
namespace {

namespace fs = std::filesystem;
using test::message_of;

struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "sparkbench_messages_XXXXXX").string();
    path = ::mkdtemp(tmpl.data());
  }
  ~TempDir() { fs::remove_all(path); }
};

TEST(ConfigMessages, ADirectoryIsNamedAsADirectory) {
  TempDir dir;
  std::string msg = message_of([&] { config::load(dir.path); });
  EXPECT_NE(msg.find("is a directory; a config file (YAML) is expected"), std::string::npos) << msg;
  EXPECT_EQ(msg.find("suites:"), std::string::npos) << msg;
  std::ofstream(dir.path / "config.yaml") << "suites: {}\n";
  msg = message_of([&] { config::load(dir.path); });
  EXPECT_NE(msg.find("--config " + (dir.path / "config.yaml").string()), std::string::npos) << msg;
}

TEST(ConfigMessages, ATabInTheIndentationIsNamedWithItsPosition) {
  // A tab where a mapping's indentation goes ("end of map not found" from yaml-cpp) ...
  std::string msg = message_of([] { config::parse("suites:\n  s:\n\tcases:\n      - {workload: x}\n", "t.yaml"); });
  EXPECT_NE(msg.find("a tab character at t.yaml:3:1: YAML indents with spaces | replace the tab with spaces"),
            std::string::npos)
      << msg;
  // ... before a sequence entry ("illegal block entry") ...
  msg = message_of([] { config::parse("suites:\n  s:\n    cases:\n\t- {workload: x}\n", "t.yaml"); });
  EXPECT_NE(msg.find("a tab character at t.yaml:4:1:"), std::string::npos) << msg;
  // ... and after spaces, where its column is not the error's.
  msg = message_of([] {
    config::parse("suites:\n  s:\n    cases:\n      - workload: x\n      \tparams: {n: 64}\n", "t.yaml");
  });
  EXPECT_NE(msg.find("a tab character at t.yaml:5:7:"), std::string::npos) << msg;
  // A YAML error without a tab keeps its own message.
  msg = message_of([] { config::parse("suites:\n  s:\n    cases: [\n", "t.yaml"); });
  EXPECT_NE(msg.find("malformed YAML"), std::string::npos) << msg;
  EXPECT_EQ(msg.find("tab"), std::string::npos) << msg;
}

bool libcuda_loadable() {
  void* h = ::dlopen("libcuda.so.1", RTLD_LAZY | RTLD_LOCAL);
  if (h) ::dlclose(h);
  return h != nullptr;
}

TEST(GpuMessages, NoDriverIsNotAnInsufficientDriver) {
#if !SPARKBENCH_HAVE_CUDA
  GTEST_SKIP() << "built without CUDA: the CUDA runtime's errors do not arise";
#else
  if (libcuda_loadable()) GTEST_SKIP() << "libcuda.so.1 loads here: a driver is installed";
  EXPECT_FALSE(cuda_driver_loadable());
  EXPECT_FALSE(gpu_presence().present);
  EXPECT_EQ(gpu_presence().reason, kNoDriverReason);
  const nlohmann::json cuda = env::capture_cuda();  // what `sparkbench env` and the records show
  EXPECT_EQ(cuda.value("reason", ""), std::string("cudaGetDeviceCount: ") + kNoDriverReason) << cuda.dump();
  EXPECT_EQ(cuda["errors"].dump().find("insufficient"), std::string::npos) << cuda.dump();
#endif
}

}  // namespace
}  // namespace sb
