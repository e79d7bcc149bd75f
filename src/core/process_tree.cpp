#include "core/process_tree.hpp"

#include <charconv>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

namespace sb {

int parent_pid_from_stat(std::string_view stat) {
  const auto close = stat.rfind(')');
  if (close == std::string_view::npos || close + 4 > stat.size()) return -1;
  std::string_view rest = stat.substr(close + 2);  // "S 1234 ..."
  const auto space = rest.find(' ');
  if (space == std::string_view::npos) return -1;
  rest = rest.substr(space + 1);
  int ppid = -1;
  const auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), ppid);
  return ec == std::errc() ? ppid : -1;
}

std::vector<int> process_tree(int root) {
  std::multimap<int, int> children;  // ppid -> pid
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename().string();
    int pid = 0;
    const auto [end, err] = std::from_chars(name.data(), name.data() + name.size(), pid);
    if (err != std::errc() || end != name.data() + name.size()) continue;
    std::ifstream in(entry.path() / "stat");
    std::stringstream text;
    text << in.rdbuf();
    if (const int ppid = parent_pid_from_stat(text.str()); ppid > 0) children.emplace(ppid, pid);
  }
  std::vector<int> tree = {root};
  for (std::size_t i = 0; i < tree.size(); ++i) {
    const auto [first, last] = children.equal_range(tree[i]);
    for (auto it = first; it != last; ++it) tree.push_back(it->second);
  }
  return tree;
}

}  // namespace sb
