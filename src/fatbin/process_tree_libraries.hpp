#pragma once
// The libraries a program and the processes it started mapped while it ran, and which of their
// kernels the GPU runs: what a `command` workload really executed (vLLM's engine core and torch's
// workers are child processes; their libraries are the image's, a wheel's, or the host's).
// Sampled from the loop that drains the program's output (ChildSpec::while_running), so each
// sample is only the maps of its process tree; the fatbinaries are read afterwards.
#include <cstddef>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "fatbin/mapped_libraries.hpp"

namespace sb::fatbin {

// When to sample a running program: at 0.3 s, 1 s and 2 s (a short run's libraries are mapped
// early), then every 2 s (an engine loads its kernels when the model is loaded, later).
class SampleSchedule {
 public:
  // True once for each point `seconds` has reached since the last true.
  bool due(double seconds);

 private:
  double next_ = 0.3;
};

class ProcessTreeLibraries {
 public:
  // Files under Python package directories checked for a fatbinary, at most: an environment with
  // torch maps hundreds of extension modules, a few of them CUDA kernels.
  static constexpr std::size_t kMaxPackageFilesChecked = 200;

  // Adds the files mapped now by `root` and its descendants (core/process_tree); a process that
  // ended or is not ours is skipped. The union is kept across samples and runs.
  void sample(int root);

  // Reads the fatbinary of each file first sampled since the last call that is a CUDA library by
  // name, a main executable with a fatbinary, or a file under a Python package directory with a
  // .nv_fatbin section. Never throws: a file that cannot be read keeps its error.
  void read_coverage();

  // In order of first appearance.
  const std::vector<LibraryCoverage>& libraries() const { return libraries_; }
  // python_packages() of every file under a package directory sampled so far, as of read_coverage().
  const std::map<std::string, std::string>& python_packages() const { return packages_; }
  // Files under package directories past kMaxPackageFilesChecked, not checked for a fatbinary.
  std::size_t unchecked_package_files() const { return unchecked_; }

 private:
  std::set<std::string> seen_;
  std::vector<MappedLibrary> pending_;  // sampled, not yet read
  std::vector<std::string> package_files_;
  std::size_t package_files_checked_ = 0;
  std::size_t unchecked_ = 0;
  std::vector<LibraryCoverage> libraries_;
  std::map<std::string, std::string> packages_;
};

}  // namespace sb::fatbin
