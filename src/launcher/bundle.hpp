#pragma once
// `sparkbench bundle DIR`: the sparkbench binary with what it needs to run in someone else's image.
//
//   DIR/sparkbench                 launcher script (POSIX sh): sets LD_LIBRARY_PATH, execs bin/sparkbench
//   DIR/bin/sparkbench             this binary
//   DIR/benchmarks/config.yaml     the suites
//   DIR/lib/                       every shared library the binary links, except the two sets below
//   DIR/lib-cuda/<soname>/         CUDA toolkit libraries, used only where the image has none of its own
//   DIR/bundle.json                what was copied from where, and what was left out and why
//
// Left out: the C library set (libc, libm, libpthread, libdl, librt, ld-linux, ...), because it
// must be the image's own — it is one unit with the image's dynamic loader, and mixing a libc with
// another glibc's loader crashes; and the NVIDIA driver libraries (libcuda, libnvidia-ml, ...),
// which must match the host's kernel module and come from the GPU injection. Everything else
// (libstdc++, libgcc_s, OpenBLAS, yaml-cpp, fmt, ...) is copied, so the image needs nothing but a
// C library at least as new as the build host's (bundle.json: requires_glibc).
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace sb::launcher {

struct LinkedLibrary {
  std::string soname;
  std::string path;  // empty: "not found" on this host
};

// `ldd BINARY` output -> the libraries with a path or "not found" (the vDSO has neither).
std::vector<LinkedLibrary> parse_ldd(const std::string& ldd_output);

enum class LibraryClass { CLibrary, Driver, Cuda, Other };
LibraryClass classify_library(const std::string& soname);

// The highest GLIBC_x.y symbol version named in the file ("" when none), e.g. "2.34".
std::string highest_glibc_version(const std::filesystem::path& file);

// The linked libraries of `binary` (through ldd). Throws sb::Error when ldd is missing or a
// library is not found.
std::vector<LinkedLibrary> linked_libraries(const std::filesystem::path& binary);

// The launcher script's text (the same for every bundle; it finds its directory from $0).
std::string bundle_launcher_script();

// Writes the bundle into dir (created; existing bundle files are replaced). Returns the manifest
// that is also written to dir/bundle.json.
nlohmann::json make_bundle(const std::filesystem::path& binary, const std::filesystem::path& config_file,
                           const std::filesystem::path& dir);

}  // namespace sb::launcher
