// What ran, recorded: the JSON form of a library's kernel coverage for a device (fatbin/
// library_report), the Python distributions of mapped files (fatbin/python_packages), the sample
// schedule, the env snapshot's `libraries.coverage` of this very process, and a `command` case's
// `mapped_libraries` and `python_packages` read from a grandchild that loads a CUDA test library
// out of a fake site-packages directory.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "config/config.hpp"
#include "core/child_process.hpp"
#include "core/gpu_presence.hpp"
#include "core/temp_file.hpp"
#include "env/readers.hpp"
#include "fatbin/library_report.hpp"
#include "fatbin/process_tree_libraries.hpp"
#include "fatbin/python_packages.hpp"
#include "test_support.hpp"

namespace sb {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

void touch(const fs::path& path) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << "";
}

// The entry whose file name starts with `name`.
const json* find_file(const json& libraries, const std::string& name) {
  const auto it = std::find_if(libraries.begin(), libraries.end(), [&](const json& l) {
    return fs::path(l["path"].get<std::string>()).filename().string().starts_with(name);
  });
  return it == libraries.end() ? nullptr : &*it;
}

fatbin::LibraryCoverage library(const std::string& path, std::vector<fatbin::Entry> entries) {
  fatbin::LibraryCoverage l{{.path = path, .version = fatbin::version_from_file_name(path)}, {}, {}};
  l.coverage.section = entries.empty() ? "" : ".nv_fatbin";
  l.coverage.entries = std::move(entries);
  return l;
}

TEST(FatbinLibraryReport, SassAndPtxJitForTheDeviceOrNullWithoutOne) {
  using fatbin::CodeKind;
  const fatbin::Entry sm90{.kind = CodeKind::sass, .arch = 90}, ptx90{.kind = CodeKind::ptx, .arch = 90};
  fatbin::LibraryCoverage unreadable = library("/x/libnccl.so.2", {});
  unreadable.error = "/x/libnccl.so.2: not an ELF file";
  const std::vector<fatbin::LibraryCoverage> libraries = {library("/x/libcublas.so.13.1.0.3", {sm90, ptx90}),
                                                          library("/x/libcuda.so.1", {}), unreadable};

  const json none = fatbin::library_report(libraries, std::nullopt);
  ASSERT_EQ(none.size(), 3u);
  EXPECT_EQ(none[0]["path"], "/x/libcublas.so.13.1.0.3");
  EXPECT_EQ(none[0]["version"], "13.1.0.3");
  EXPECT_EQ(none[0]["summary"], "sm_90 SASS, compute_90 PTX");
  EXPECT_TRUE(none[0]["sass_for_device"].is_null());
  EXPECT_TRUE(none[0]["ptx_jit"].is_null());
  EXPECT_EQ(none[1]["summary"], "no CUDA fatbinary");  // libcuda itself: kept, and said so
  EXPECT_TRUE(none[2]["summary"].is_null());
  EXPECT_EQ(none[2]["error"], "/x/libnccl.so.2: not an ELF file");

  const json hopper = fatbin::library_report(libraries, 90);
  EXPECT_EQ(hopper[0]["sass_for_device"], true);
  EXPECT_TRUE(hopper[0]["ptx_jit"].is_null());  // SASS runs: nothing is compiled at load
  // libcuda has no fatbinary: nothing that could lack SASS (doctor once listed it as "no SASS for sm_90").
  EXPECT_TRUE(hopper[1]["sass_for_device"].is_null());
  EXPECT_TRUE(hopper[1]["ptx_jit"].is_null());
  const json spark = fatbin::library_report(libraries, 121);
  EXPECT_EQ(spark[0]["sass_for_device"], false);
  EXPECT_EQ(spark[0]["ptx_jit"], "compute_90");
  const json ampere = fatbin::library_report(libraries, 80);
  EXPECT_EQ(ampere[0]["sass_for_device"], false);
  EXPECT_TRUE(ampere[0]["ptx_jit"].is_null());  // PTX for 9.0 cannot be compiled for 8.0
}

TEST(FatbinLibraryReport, ComputeCapabilityText) {
  EXPECT_EQ(fatbin::sm_of_compute_capability("9.0"), 90);
  EXPECT_EQ(fatbin::sm_of_compute_capability("12.1"), 121);
  for (const char* bad : {"", "9", "9.", ".0", "9.10", "x.y", "9.0 "}) EXPECT_FALSE(fatbin::sm_of_compute_capability(bad)) << bad;
}

TEST(FatbinSampleSchedule, AtAThirdOfASecondOneTwoThenEveryTwo) {
  fatbin::SampleSchedule s;
  std::vector<double> taken;
  for (int tick = 0; tick <= 130; ++tick)  // 50 ms ticks up to 6.5 s
    if (s.due(tick * 0.05)) taken.push_back(tick * 0.05);
  const std::vector<double> expected = {0.3, 1.0, 2.0, 4.0, 6.0};
  ASSERT_EQ(taken.size(), expected.size());
  for (std::size_t i = 0; i < taken.size(); ++i) EXPECT_NEAR(taken[i], expected[i], 0.051);
  fatbin::SampleSchedule late;
  EXPECT_TRUE(late.due(5));  // a first tick past several points: one sample
  EXPECT_FALSE(late.due(5.5));
  EXPECT_TRUE(late.due(6));
}

TEST(FatbinPythonPackages, FromTheDistInfoNextToThePackage) {
  const TempDir dir("sparkbench-site-packages-");
  const fs::path site = dir.path() / "lib/python3.12/site-packages";
  touch(site / "foo/x.so");
  fs::create_directories(site / "foo-1.2.3.dist-info");
  touch(site / "Flash_Attn/flash_attn_2_cuda.so");  // the name compared without case
  fs::create_directories(site / "flash_attn-2.7.4.post1.dist-info");
  touch(site / "nvidia/cublas/lib/libcublas.so.12");  // a namespace directory shared by wheels
  fs::create_directories(site / "nvidia_cublas_cu12-12.4.5.8.dist-info");
  fs::create_directories(site / "nvidia_cuda_runtime_cu12-12.4.127.dist-info");
  touch(site / "nvidia/cudnn/lib/libcudnn.so.9");  // two candidates: which one is not known
  fs::create_directories(site / "nvidia_cudnn_cu12-9.1.0.70.dist-info");
  fs::create_directories(site / "nvidia_cudnn_cu13-9.13.0.50.dist-info");
  touch(site / "bar/y.so");  // no dist-info of its own
  touch(site / "_cffi_backend.cpython-312-x86_64-linux-gnu.so");
  fs::create_directories(site / "cffi-1.17.1.dist-info");  // cffi's module, but only its RECORD says so

  const std::map<std::string, std::string> packages = fatbin::python_packages(
      {(site / "foo/x.so").string(), (site / "Flash_Attn/flash_attn_2_cuda.so").string(),
       (site / "nvidia/cublas/lib/libcublas.so.12").string(), (site / "nvidia/cudnn/lib/libcudnn.so.9").string(),
       (site / "bar/y.so").string(), (site / "_cffi_backend.cpython-312-x86_64-linux-gnu.so").string(),
       "/usr/lib/x86_64-linux-gnu/libc.so.6"});
  const std::map<std::string, std::string> expected = {{"foo", "1.2.3"},
                                                       {"flash_attn", "2.7.4.post1"},
                                                       {"nvidia_cublas_cu12", "12.4.5.8"}};
  EXPECT_EQ(packages, expected);
}

TEST(EnvLibraries, CoverageOfThisProcess) {
  const json none = env::capture_libraries(json::object());
  ASSERT_TRUE(none["coverage"].is_array()) << none.dump();
  ASSERT_FALSE(none["coverage"].empty());
  EXPECT_EQ(none["coverage"][0]["main_executable"], true);  // the test binary itself
  for (const json& l : none["coverage"]) {
    EXPECT_FALSE(l.contains("error")) << l.dump();
    EXPECT_FALSE(l["summary"].get<std::string>().empty()) << l.dump();
    EXPECT_TRUE(l["sass_for_device"].is_null()) << l.dump();
    EXPECT_TRUE(l["ptx_jit"].is_null()) << l.dump();
  }
  if (!SPARKBENCH_HAVE_CUDA) return;
  const json* cublas = find_file(none["coverage"], "libcublas.so");
  ASSERT_NE(cublas, nullptr) << none.dump();  // CUDA builds link libcublas
  EXPECT_NE((*cublas)["summary"], "no CUDA fatbinary");
  const json hopper = env::capture_libraries({{"devices", {{{"compute_capability", "9.0"}}}}});
  EXPECT_EQ((*find_file(hopper["coverage"], "libcublas.so"))["sass_for_device"], true) << hopper.dump();
}

// A shell script whose python3 child loads a CUDA library (built with sm_90 SASS only) out of a
// fake site-packages directory and sleeps past the first samples: the case's info names the
// library with its coverage, and the distribution it came from.
TEST(CommandMappedLibraries, TheProcessTreesLibrariesAndPythonPackages) {
  if (std::string(SPARKBENCH_FATBIN_TEST_sass).empty())
    GTEST_SKIP() << "SKIPPED: a CPU-only build has no CUDA test libraries";
  if (program_of({.argv = {"python3"}}).empty()) GTEST_SKIP() << "SKIPPED: no python3 on PATH";
  const TempDir dir("sparkbench-command-mapped-");
  const fs::path site = dir.path() / "venv/lib/python3.12/site-packages";
  fs::create_directories(site / "foo");
  fs::create_directories(site / "foo-1.2.3.dist-info");
  const fs::path library = site / "foo/_kernels.so";  // a name no list of CUDA libraries knows
  fs::copy_file(SPARKBENCH_FATBIN_TEST_sass, library);
  std::ofstream(dir.path() / "run.sh") << "python3 -c 'import ctypes, time; ctypes.CDLL(\"" << library.string()
                                       << "\"); time.sleep(1.2)'\necho done\n";
  const std::string yaml = "commands:\n  mapped:\n    argv: [sh, ./run.sh]\n";
  const Workload& w = *config::parse(yaml, (dir.path() / "config.yaml").string()).commands.front();
  auto run = w.make(Params{}, CaseContext{});
  test::run_program(*run);
  test::run_program(*run);  // a second run adds nothing new: the union is kept once

  const json info = run->info();
  const json* kernels = find_file(info["mapped_libraries"], "_kernels.so");
  ASSERT_NE(kernels, nullptr) << info["mapped_libraries"].dump();
  EXPECT_EQ((*kernels)["summary"], "sm_90 SASS, no PTX");
  if (!gpu_presence().present) {
    EXPECT_TRUE((*kernels)["sass_for_device"].is_null());
    EXPECT_TRUE((*kernels)["ptx_jit"].is_null());
  }
  EXPECT_EQ(std::count_if(info["mapped_libraries"].begin(), info["mapped_libraries"].end(),
                          [](const json& l) { return l["path"].get<std::string>().ends_with("_kernels.so"); }),
            1);
  for (const json& l : info["mapped_libraries"])  // python3 and sh have no fatbinary: left out
    EXPECT_FALSE(fs::path(l["path"].get<std::string>()).filename().string().starts_with("python")) << l.dump();
  EXPECT_EQ(info["python_packages"], json({{"foo", "1.2.3"}}));
  EXPECT_EQ(info["mapped_libraries_unchecked"], 0);
}

}  // namespace
}  // namespace sb
