#include "fatbin/python_packages.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <optional>
#include <string_view>

namespace sb::fatbin {

namespace {

namespace fs = std::filesystem;

constexpr std::string_view kPackageDirectories[] = {"/site-packages/", "/dist-packages/"};
constexpr std::string_view kDistInfo = ".dist-info";

struct Distribution {
  std::string name;        // as its dist-info directory spells it
  std::string normalized;  // lower case, '-' and '.' as '_'
  std::string version;
};

std::string normalize(std::string_view name) {
  std::string out(name);
  for (char& c : out) c = c == '-' || c == '.' ? '_' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The "<name>-<version>.dist-info" directories of one package directory.
std::vector<Distribution> distributions_in(const fs::path& directory) {
  std::vector<Distribution> found;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(directory, ec)) {
    const std::string file = entry.path().filename().string();
    if (!file.ends_with(kDistInfo)) continue;
    const std::string_view stem = std::string_view(file).substr(0, file.size() - kDistInfo.size());
    const auto dash = stem.find('-');
    if (dash == std::string_view::npos || dash == 0 || dash + 1 == stem.size()) continue;
    found.push_back({std::string(stem.substr(0, dash)), normalize(stem.substr(0, dash)), std::string(stem.substr(dash + 1))});
  }
  return found;
}

// Where the package directory ends in `path` and the first two components after it.
struct PackagePath {
  std::string directory;
  std::string top, second;  // "torch", "lib"; a module file directly in the directory: its name before the first '.'
};

std::optional<PackagePath> split(std::string_view path) {
  std::size_t at = std::string_view::npos, length = 0;
  for (std::string_view marker : kPackageDirectories)
    if (const auto p = path.rfind(marker); p != std::string_view::npos && (at == std::string_view::npos || p > at)) {
      at = p;
      length = marker.size();
    }
  if (at == std::string_view::npos) return std::nullopt;
  PackagePath out{std::string(path.substr(0, at + length - 1)), "", ""};
  std::string_view rest = path.substr(at + length);
  const auto slash = rest.find('/');
  if (slash == std::string_view::npos) {
    out.top = std::string(rest.substr(0, rest.find('.')));
  } else {
    out.top = std::string(rest.substr(0, slash));
    rest = rest.substr(slash + 1);
    if (const auto next = rest.find('/'); next != std::string_view::npos) out.second = std::string(rest.substr(0, next));
  }
  if (out.top.empty()) return std::nullopt;
  return out;
}

const Distribution* owner(const std::vector<Distribution>& distributions, const PackagePath& p) {
  const std::string top = normalize(p.top);
  for (const Distribution& d : distributions)
    if (d.normalized == top) return &d;
  if (p.second.empty()) return nullptr;
  const std::string prefix = top + "_" + normalize(p.second);
  const Distribution* match = nullptr;
  for (const Distribution& d : distributions) {
    if (d.normalized != prefix && !d.normalized.starts_with(prefix + "_")) continue;
    if (match) return nullptr;  // nvidia_cudnn_cu12 and nvidia_cudnn_cu13 both: which one is not known
    match = &d;
  }
  return match;
}

}  // namespace

std::map<std::string, std::string> python_packages(const std::vector<std::string>& paths) {
  std::map<std::string, std::vector<Distribution>> listed;  // by package directory
  std::map<std::string, std::string> packages;
  for (const std::string& path : paths) {
    const std::optional<PackagePath> p = split(path);
    if (!p) continue;
    auto it = listed.find(p->directory);
    if (it == listed.end()) it = listed.emplace(p->directory, distributions_in(p->directory)).first;
    if (const Distribution* d = owner(it->second, *p)) packages[d->name] = d->version;
  }
  return packages;
}

}  // namespace sb::fatbin
