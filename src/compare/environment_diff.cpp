// diff_environments: which settings differ between two environment snapshots, and how likely each
// is to explain a performance difference. Keys are matched by name fragments rather than exact
// paths, so that the ranking survives changes to the snapshot's layout.
#include <algorithm>
#include <filesystem>
#include <map>
#include <string_view>

#include "compare/compare.hpp"
#include "compare/environment_paths.hpp"

namespace sb::compare {
namespace {

using nlohmann::json;

bool all_scalars(const json& array) {
  return std::all_of(array.begin(), array.end(), [](const json& v) { return !v.is_structured(); });
}

// Files (objects with a "path") are keyed by file name, so that one extra library on a side does not
// shift every index after it; by index where names repeat.
std::vector<std::string> element_keys(const json& array) {
  std::vector<std::string> keys;
  for (std::size_t i = 0; i < array.size(); ++i) {
    const json& e = array[i];
    const bool file = e.is_object() && e.contains("path") && e["path"].is_string();
    keys.push_back(file ? std::filesystem::path(e["path"].get<std::string>()).filename().string() : std::to_string(i));
  }
  for (std::size_t i = 0; i < keys.size(); ++i)
    if (std::count(keys.begin(), keys.end(), keys[i]) > 1) keys[i] = std::to_string(i);
  return keys;
}

// Objects recurse with "a.b"; arrays of objects by index "a[0].b" (files by name, "a[libcuda.so.1].b");
// arrays of scalars are one value (a list of CPUs compares as a whole). Nulls are left out: absent
// and null both mean "no reading".
void flatten(const json& v, const std::string& path, std::map<std::string, json>& out) {
  if (v.is_object()) {
    for (const auto& [key, child] : v.items()) flatten(child, path.empty() ? key : path + "." + key, out);
  } else if (v.is_array() && !all_scalars(v)) {
    const auto keys = element_keys(v);
    for (std::size_t i = 0; i < v.size(); ++i) flatten(v[i], path + "[" + keys[i] + "]", out);
  } else if (!v.is_null()) {
    out[path] = v;
  }
}

// A file's real_path names its version only where the path is a symlink (libcuda.so.1 ->
// libcuda.so.580.95.05). A container that bind-mounts the file itself sees no link, so its
// real_path equals its path and says nothing about the version: such a row is not a difference.
bool real_path_without_information(const std::string& path, const std::map<std::string, json>& side) {
  constexpr std::string_view kSuffix = ".real_path";
  if (path.size() <= kSuffix.size() || path.compare(path.size() - kSuffix.size(), kSuffix.size(), kSuffix) != 0)
    return false;
  const auto real = side.find(path);
  const auto plain = side.find(path.substr(0, path.size() - kSuffix.size()) + ".path");
  return real != side.end() && plain != side.end() && real->second == plain->second;
}

}  // namespace

std::vector<EnvDifference> diff_environments(const json& baseline, const json& candidate) {
  std::map<std::string, json> b, c;
  flatten(baseline, "", b);
  flatten(candidate, "", c);
  std::map<std::string, EnvDifference> differences;
  for (const auto* side : {&b, &c}) {
    for (const auto& [path, unused] : *side) {
      if (differences.count(path) || is_volatile(path)) continue;
      if (real_path_without_information(path, b) || real_path_without_information(path, c)) continue;
      const auto in_b = b.find(path);
      const auto in_c = c.find(path);
      const json vb = in_b == b.end() ? json() : in_b->second;
      const json vc = in_c == c.end() ? json() : in_c->second;
      if (vb != vc) differences[path] = EnvDifference{path, vb, vc, importance(path)};
    }
  }
  std::vector<EnvDifference> out;
  for (auto& [path, d] : differences) out.push_back(std::move(d));
  std::stable_sort(out.begin(), out.end(), [](const auto& x, const auto& y) { return x.importance > y.importance; });
  return out;
}

}  // namespace sb::compare
