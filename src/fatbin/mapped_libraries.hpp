#pragma once
// The CUDA libraries a process has mapped, from /proc/<pid>/maps: the copies it really loaded (the
// image's own, a Python wheel's, the host's mounted in by the runtime), each with the version its
// file name gives and, through coverage(), the kernels of its fatbinary.
#include <sys/types.h>

#include <istream>
#include <string>
#include <string_view>
#include <vector>

#include "fatbin/coverage.hpp"

namespace sb::fatbin {

struct MappedLibrary {
  std::string path;
  std::string version;  // from the file name: "13.1.0.3" for libcublas.so.13.1.0.3; "" where it gives none
  bool main_executable = false;
  bool deleted = false;  // maps says "(deleted)": the file now at `path`, if any, is not the one mapped
};

// Every distinct file of a maps text, in the order of first appearance; anonymous memory and
// pseudo-files ([heap], [vdso]) left out.
std::vector<MappedLibrary> parse_maps(std::istream& maps);

// libcuda*, libcudart, libcublas(Lt), libcudnn*, libnccl, libnvinfer*, the math libraries
// (libcufft, libcurand, libcusolver, libcusparse), libtorch_cuda, libc10_cuda, libggml-cuda, and
// the driver's NVML (libnvidia-ml): the file name's start, and ".so" in it. The one list of the
// GPU libraries worth naming: env's snapshot filters with it too.
bool is_cuda_library_name(std::string_view path);

// Whether a file lies in a Python environment's package directory (".../site-packages/..." or
// Debian's ".../dist-packages/..."): an engine's own kernel libraries (vLLM's _C.abi3.so,
// flash-attn's) live there under names no list knows.
bool is_in_python_packages(std::string_view path);

// "libcublas.so.13.1.0.3" -> "13.1.0.3"; "" for "libtorch_cuda.so".
std::string version_from_file_name(std::string_view path);

// Every file process `pid` has mapped, its main executable marked and first. Throws sb::Error
// when /proc/<pid>/maps cannot be read (no such process, or not ours).
std::vector<MappedLibrary> mapped_files(pid_t pid);

// mapped_files() with only the main executable and the CUDA libraries by name.
std::vector<MappedLibrary> mapped_cuda_libraries(pid_t pid);

struct LibraryCoverage {
  MappedLibrary library;
  Coverage coverage;  // empty where error says why
  std::string error;
};

// The fatbinary of one mapped file; a file that cannot be read (or was replaced) gets its error.
LibraryCoverage library_coverage(MappedLibrary library);

// mapped_cuda_libraries() with the fatbinary of each; a file that cannot be read gets its error,
// and the others are still read.
std::vector<LibraryCoverage> library_coverage(pid_t pid);

}  // namespace sb::fatbin
