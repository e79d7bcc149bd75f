#include "fatbin/mapped_libraries.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "core/error.hpp"

namespace sb::fatbin {

namespace {

constexpr std::string_view kDeleted = " (deleted)";

// libcuda covers libcudart, libcublas covers libcublasLt.
constexpr std::string_view kCudaLibraryPrefixes[] = {
    "libcuda",     "libcublas",   "libcudnn",      "libnccl",     "libnvinfer",  "libcufft",
    "libcurand",   "libcusolver", "libcusparse",   "libtorch_cuda", "libc10_cuda", "libggml-cuda",
    "libnvidia-ml"};

std::string_view file_name(std::string_view path) {
  const auto slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

}  // namespace

std::vector<MappedLibrary> parse_maps(std::istream& maps) {
  std::vector<MappedLibrary> files;
  std::set<std::string> seen;
  for (std::string line; std::getline(maps, line);) {
    // "start-end perms offset dev inode   path": the path is the rest of the line and may hold spaces.
    std::istringstream fields(line);
    std::string range, perms, offset, device;
    unsigned long inode = 0;
    if (!(fields >> range >> perms >> offset >> device >> inode) || inode == 0) continue;
    std::string path;
    std::getline(fields >> std::ws, path);
    if (!path.starts_with('/')) continue;
    MappedLibrary file;
    if (path.ends_with(kDeleted)) {
      path.resize(path.size() - kDeleted.size());
      file.deleted = true;
    }
    if (!seen.insert(path).second) continue;
    file.path = path;
    file.version = version_from_file_name(path);
    files.push_back(std::move(file));
  }
  return files;
}

bool is_cuda_library_name(std::string_view path) {
  const std::string_view name = file_name(path);
  return name.find(".so") != std::string_view::npos &&
         std::any_of(std::begin(kCudaLibraryPrefixes), std::end(kCudaLibraryPrefixes),
                     [&](std::string_view prefix) { return name.starts_with(prefix); });
}

bool is_in_python_packages(std::string_view path) {
  return path.find("/site-packages/") != std::string_view::npos || path.find("/dist-packages/") != std::string_view::npos;
}

std::string version_from_file_name(std::string_view path) {
  const std::string_view name = file_name(path);
  const auto so = name.find(".so.");
  if (so == std::string_view::npos) return "";
  const std::string_view version = name.substr(so + 4);
  const bool numeric = !version.empty() && std::isdigit(static_cast<unsigned char>(version.front())) &&
                       std::all_of(version.begin(), version.end(), [](char c) {
                         return c == '.' || std::isdigit(static_cast<unsigned char>(c));
                       });
  return numeric ? std::string(version) : "";
}

std::vector<MappedLibrary> mapped_files(pid_t pid) {
  const std::string proc = fmt::format("/proc/{}", pid);
  std::ifstream maps(proc + "/maps");
  if (!maps)
    throw Error(fmt::format("cannot read {}/maps", proc),
                "give the id of a running process of this user (or run as root to read another user's)");
  std::error_code ec;
  std::string executable = std::filesystem::read_symlink(proc + "/exe", ec).string();
  if (executable.ends_with(kDeleted)) executable.resize(executable.size() - kDeleted.size());

  std::vector<MappedLibrary> files = parse_maps(maps);
  for (MappedLibrary& file : files) file.main_executable = !executable.empty() && file.path == executable;
  std::stable_partition(files.begin(), files.end(), [](const MappedLibrary& f) { return f.main_executable; });
  return files;
}

std::vector<MappedLibrary> mapped_cuda_libraries(pid_t pid) {
  std::vector<MappedLibrary> libraries = mapped_files(pid);
  std::erase_if(libraries, [](const MappedLibrary& f) { return !f.main_executable && !is_cuda_library_name(f.path); });
  return libraries;
}

LibraryCoverage library_coverage(MappedLibrary library) {
  LibraryCoverage entry{std::move(library), {}, {}};
  if (entry.library.deleted) {
    entry.error = fmt::format("{} was deleted or replaced after the process mapped it", entry.library.path);
  } else {
    try {
      entry.coverage = coverage(entry.library.path);
    } catch (const Error& e) {
      entry.error = e.what();
    }
  }
  return entry;
}

std::vector<LibraryCoverage> library_coverage(pid_t pid) {
  std::vector<LibraryCoverage> out;
  for (MappedLibrary& library : mapped_cuda_libraries(pid)) out.push_back(library_coverage(std::move(library)));
  return out;
}

}  // namespace sb::fatbin
