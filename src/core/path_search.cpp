#include "core/path_search.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>

namespace sb {

std::vector<std::string> split_path_list(const std::string& list) {
  std::vector<std::string> out;
  for (std::size_t start = 0; start <= list.size();) {
    const auto colon = std::min(list.find(':', start), list.size());
    out.push_back(list.substr(start, colon - start));
    start = colon + 1;
  }
  return out;
}

bool is_executable_file(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

std::string find_executable(const std::string& name, const std::string& path_list, const std::string& relative_to) {
  if (name.empty()) return "";
  if (name.find('/') != std::string::npos) {
    const std::string p = name.front() == '/' || relative_to.empty() ? name : relative_to + "/" + name;
    return is_executable_file(p) ? p : "";
  }
  for (const std::string& dir : split_path_list(path_list)) {
    if (!dir.empty() && is_executable_file(dir + "/" + name)) return dir + "/" + name;
  }
  return "";
}

std::string our_path_list() {
  const char* path = std::getenv("PATH");
  return path ? path : "/usr/local/bin:/usr/bin:/bin";
}

std::string find_on_path(const std::string& name) { return find_executable(name, our_path_list()); }

}  // namespace sb
