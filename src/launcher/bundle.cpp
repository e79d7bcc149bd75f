#include "launcher/bundle.hpp"

#include <sys/stat.h>

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "core/atomic_file.hpp"
#include "core/clock.hpp"
#include "core/child_process.hpp"
#include "core/error.hpp"
#include "core/path_search.hpp"
#include "core/version.hpp"
#include "launcher/host_facts.hpp"
#include "record/record.hpp"

namespace sb::launcher {
namespace fs = std::filesystem;
namespace {

bool soname_has_stem(const std::string& soname, const std::string& stem) {
  return soname.rfind(stem, 0) == 0 && (soname.size() == stem.size() || soname[stem.size()] == '.');
}

std::vector<int> version_parts(const std::string& v) {
  std::vector<int> parts;
  std::istringstream in(v);
  for (std::string part; std::getline(in, part, '.');) parts.push_back(std::atoi(part.c_str()));
  return parts;
}

// Versions compare numerically: 2.9 < 2.34 < 2.34.1.
bool glibc_less(const std::string& a, const std::string& b) { return version_parts(a) < version_parts(b); }

}  // namespace

std::vector<LinkedLibrary> parse_ldd(const std::string& output) {
  // "\tlibfmt.so.9 => /lib/x86_64-linux-gnu/libfmt.so.9 (0x00007f...)"
  // "\tlibfoo.so.1 => not found"
  // "\t/lib64/ld-linux-x86-64.so.2 (0x00007f...)"
  // "\tlinux-vdso.so.1 (0x00007ffc...)"
  std::vector<LinkedLibrary> out;
  std::istringstream in(output);
  for (std::string line; std::getline(in, line);) {
    const auto start = line.find_first_not_of(" \t");
    if (start == std::string::npos) continue;
    line = line.substr(start);
    const auto arrow = line.find(" => ");
    if (arrow != std::string::npos) {
      std::string soname = line.substr(0, arrow), rest = line.substr(arrow + 4);
      if (rest.rfind("not found", 0) == 0) {
        out.push_back({soname, ""});
        continue;
      }
      const auto paren = rest.find(" (");
      out.push_back({soname, rest.substr(0, paren)});
    } else if (line[0] == '/') {
      const std::string path = line.substr(0, line.find(" ("));
      out.push_back({fs::path(path).filename().string(), path});
    }
  }
  return out;
}

LibraryClass classify_library(const std::string& soname) {
  static const std::vector<std::string> c_library = {
      "libc.so", "libm.so", "libpthread.so", "libdl.so", "librt.so", "libutil.so", "libresolv.so", "libanl.so",
      "libnsl.so", "libmvec.so", "libBrokenLocale.so", "libc_malloc_debug.so", "libthread_db.so"};
  static const std::vector<std::string> cuda = {
      "libcublas.so", "libcublasLt.so", "libcudart.so", "libnvrtc.so", "libnvrtc-builtins.so", "libnvJitLink.so",
      "libcufft.so", "libcufftw.so", "libcurand.so", "libcusparse.so", "libcusolver.so", "libcusolverMg.so",
      "libnccl.so", "libcudnn.so", "libnvToolsExt.so", "libcupti.so", "libnvblas.so"};
  if (soname.rfind("ld-linux", 0) == 0 || soname.rfind("ld64.so", 0) == 0 || soname.rfind("linux-vdso", 0) == 0 ||
      soname.rfind("linux-gate", 0) == 0)
    return LibraryClass::CLibrary;
  for (const auto& s : c_library)
    if (soname_has_stem(soname, s)) return LibraryClass::CLibrary;
  if (is_driver_library(soname)) return LibraryClass::Driver;
  for (const auto& s : cuda)
    if (soname_has_stem(soname, s)) return LibraryClass::Cuda;
  return LibraryClass::Other;
}

std::string highest_glibc_version(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  const std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::string best;
  for (auto pos = data.find("GLIBC_"); pos != std::string::npos; pos = data.find("GLIBC_", pos + 1)) {
    std::size_t end = pos + 6;
    while (end < data.size() && (std::isdigit(static_cast<unsigned char>(data[end])) || data[end] == '.')) ++end;
    const std::string v = data.substr(pos + 6, end - pos - 6);
    if (v.find('.') == std::string::npos || !std::isdigit(static_cast<unsigned char>(v.front())) ||
        !std::isdigit(static_cast<unsigned char>(v.back())))
      continue;  // GLIBC_PRIVATE and the like
    if (best.empty() || glibc_less(best, v)) best = v;
  }
  return best;
}

std::vector<LinkedLibrary> linked_libraries(const fs::path& binary) {
  if (find_on_path("ldd").empty())
    throw Error("`ldd` is not installed, so the libraries of the sparkbench binary cannot be listed",
                "install it: sudo apt-get install libc-bin");
  const ChildOutcome r = run_child_process({.argv = {"ldd", binary.string()}, .timeout_s = 60});
  if (r.exit_code != 0)
    throw Error(fmt::format("`ldd {}` failed: {}", binary.string(), r.err.empty() ? r.out : r.err),
                "check that the sparkbench binary is a dynamically linked executable for this machine");
  auto libs = parse_ldd(r.out);
  for (const auto& l : libs)
    if (l.path.empty())
      throw Error(fmt::format("{} needs {}, which is not found on this host", binary.string(), l.soname),
                  "install the library (see scripts/setup_native.sh) or rebuild sparkbench");
  return libs;
}

std::string bundle_launcher_script() {
  return R"SH(#!/bin/sh
# sparkbench bundle launcher, written by `sparkbench bundle`. Runs bin/sparkbench with the bundled
# libraries: lib/ first; lib-cuda/<soname>/ only for a CUDA library the image does not have itself
# (so an image's own CUDA stack is what gets measured); the NVIDIA driver directories that the
# container runtime may have mounted (/usr/local/nvidia) last. See bundle.json.
case "$0" in */*) here=${0%/*} ;; *) here=. ;; esac
libs=$here/lib
cache=$( (ldconfig -p || /sbin/ldconfig -p) 2>/dev/null )
for dir in "$here"/lib-cuda/*; do
  [ -d "$dir" ] || continue
  soname=${dir##*/}
  found=
  case "$cache" in *"$soname ("*) found=1 ;; esac
  old_ifs=$IFS
  IFS=:
  for d in ${LD_LIBRARY_PATH:-}; do
    if [ -e "$d/$soname" ]; then found=1; fi
  done
  IFS=$old_ifs
  [ -n "$found" ] || libs=$libs:$dir
done
LD_LIBRARY_PATH=$libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
for d in /usr/local/nvidia/lib64 /usr/local/nvidia/lib; do
  if [ -d "$d" ]; then LD_LIBRARY_PATH=$LD_LIBRARY_PATH:$d; fi
done
if [ -d /usr/local/nvidia/bin ]; then PATH=${PATH:-/usr/bin:/bin}:/usr/local/nvidia/bin; fi
export LD_LIBRARY_PATH PATH
exec "$here/bin/sparkbench" "$@"
)SH";
}

nlohmann::json make_bundle(const fs::path& binary, const fs::path& config_file, const fs::path& dir) {
  std::error_code ec;
  const auto fail = [&](const std::string& what) {
    throw Error(fmt::format("cannot write the bundle: {}", what), "choose a writable directory for the bundle");
  };
  for (const char* sub : {"bin", "lib", "lib-cuda", "benchmarks"}) fs::remove_all(dir / sub, ec);
  for (const char* sub : {"bin", "lib", "lib-cuda", "benchmarks"})
    if (fs::create_directories(dir / sub, ec); ec) fail(fmt::format("{}: {}", (dir / sub).string(), ec.message()));

  nlohmann::json manifest = {{"sparkbench_version", kVersion},
                             {"created_utc", utc_iso8601()},
                             {"host", hostname()},
                             {"binary", binary.string()},
                             {"libraries", nlohmann::json::array()},
                             {"left_out", nlohmann::json::array()}};
  std::string glibc = highest_glibc_version(binary);
  if (!fs::copy_file(binary, dir / "bin" / "sparkbench", fs::copy_options::overwrite_existing, ec) || ec)
    fail(fmt::format("copying {}: {}", binary.string(), ec.message()));
  for (const auto& lib : linked_libraries(binary)) {
    const LibraryClass c = classify_library(lib.soname);
    if (c == LibraryClass::CLibrary || c == LibraryClass::Driver) {
      manifest["left_out"].push_back(
          {{"soname", lib.soname},
           {"path", lib.path},
           {"why", c == LibraryClass::CLibrary ? "C library: must match the image's dynamic loader"
                                               : "NVIDIA driver: must match the host's kernel module"}});
      continue;
    }
    const fs::path target_dir = c == LibraryClass::Cuda ? dir / "lib-cuda" / lib.soname : dir / "lib";
    fs::create_directories(target_dir, ec);
    // Copy the file the soname resolves to, under the soname (what the loader looks for).
    if (!fs::copy_file(fs::canonical(lib.path, ec), target_dir / lib.soname, fs::copy_options::overwrite_existing, ec) || ec)
      fail(fmt::format("copying {}: {}", lib.path, ec.message()));
    const std::string needs = highest_glibc_version(lib.path);
    if (!needs.empty() && (glibc.empty() || glibc_less(glibc, needs))) glibc = needs;
    manifest["libraries"].push_back({{"soname", lib.soname},
                                     {"source", lib.path},
                                     {"dir", c == LibraryClass::Cuda ? "lib-cuda/" + lib.soname : "lib"}});
  }
  if (fs::exists(config_file)) {
    if (!fs::copy_file(config_file, dir / "benchmarks" / "config.yaml", fs::copy_options::overwrite_existing, ec) || ec)
      fail(fmt::format("copying {}: {}", config_file.string(), ec.message()));
    manifest["config"] = config_file.string();
  }
  manifest["requires_glibc"] = glibc;
  write_atomic(dir / "sparkbench", bundle_launcher_script());
  ::chmod((dir / "sparkbench").c_str(), 0755);
  write_atomic(dir / "bundle.json", manifest.dump(2) + "\n");
  return manifest;
}

}  // namespace sb::launcher
