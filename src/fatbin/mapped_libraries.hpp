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
// (libcufft, libcurand, libcusolver, libcusparse), libtorch_cuda, libc10_cuda, libggml-cuda: the
// file name's start, and ".so" in it.
bool is_cuda_library_name(std::string_view path);

// "libcublas.so.13.1.0.3" -> "13.1.0.3"; "" for "libtorch_cuda.so".
std::string version_from_file_name(std::string_view path);

// The CUDA libraries process `pid` has mapped, and its main executable (first). Throws sb::Error
// when /proc/<pid>/maps cannot be read (no such process, or not ours).
std::vector<MappedLibrary> mapped_cuda_libraries(pid_t pid);

struct LibraryCoverage {
  MappedLibrary library;
  Coverage coverage;  // empty where error says why
  std::string error;
};

// mapped_cuda_libraries() with the fatbinary of each; a file that cannot be read gets its error,
// and the others are still read.
std::vector<LibraryCoverage> library_coverage(pid_t pid);

}  // namespace sb::fatbin
