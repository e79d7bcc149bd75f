#include "fatbin/process_tree_libraries.hpp"

#include "core/error.hpp"
#include "core/process_tree.hpp"
#include "fatbin/python_packages.hpp"

namespace sb::fatbin {

bool SampleSchedule::due(double seconds) {
  if (seconds < next_) return false;
  while (next_ <= seconds) next_ = next_ < 1 ? 1 : next_ + (next_ < 2 ? 1 : 2);
  return true;
}

void ProcessTreeLibraries::sample(int root) {
  for (const int pid : process_tree(root)) {
    std::vector<MappedLibrary> files;
    try {
      files = mapped_files(pid);
    } catch (const Error&) {
      continue;  // it ended between the listing and now
    }
    for (MappedLibrary& file : files)
      if (seen_.insert(file.path).second) pending_.push_back(std::move(file));
  }
}

void ProcessTreeLibraries::read_coverage() {
  bool new_package_files = false;
  for (MappedLibrary& file : pending_) {
    const bool in_packages = is_in_python_packages(file.path);
    if (in_packages) {
      package_files_.push_back(file.path);
      new_package_files = true;
    }
    if (is_cuda_library_name(file.path)) {
      libraries_.push_back(library_coverage(std::move(file)));
    } else if (file.main_executable) {
      LibraryCoverage entry = library_coverage(std::move(file));
      if (!entry.error.empty() || !entry.coverage.section.empty()) libraries_.push_back(std::move(entry));
    } else if (in_packages && file.path.find(".so", file.path.rfind('/')) != std::string::npos) {
      if (package_files_checked_ == kMaxPackageFilesChecked) {
        ++unchecked_;
        continue;
      }
      ++package_files_checked_;
      if (has_fatbinary(file.path)) libraries_.push_back(library_coverage(std::move(file)));
    }
  }
  pending_.clear();
  if (new_package_files) packages_ = fatbin::python_packages(package_files_);
}

}  // namespace sb::fatbin
