// diff_environments: which settings differ between two environment snapshots, and how likely each
// is to explain a performance difference. Keys are matched by name fragments rather than exact
// paths, so that the ranking survives changes to the snapshot's layout.
#include <algorithm>
#include <map>

#include "compare/compare.hpp"
#include "compare/environment_paths.hpp"

namespace sb::compare {
namespace {

using nlohmann::json;

bool all_scalars(const json& array) {
  return std::all_of(array.begin(), array.end(), [](const json& v) { return !v.is_structured(); });
}

// Objects recurse with "a.b"; arrays of objects by index "a[0].b"; arrays of scalars are one value
// (a list of loaded libraries or CPUs compares as a whole). Nulls are left out: absent and null
// both mean "no reading".
void flatten(const json& v, const std::string& path, std::map<std::string, json>& out) {
  if (v.is_object()) {
    for (const auto& [key, child] : v.items()) flatten(child, path.empty() ? key : path + "." + key, out);
  } else if (v.is_array() && !all_scalars(v)) {
    for (std::size_t i = 0; i < v.size(); ++i) flatten(v[i], path + "[" + std::to_string(i) + "]", out);
  } else if (!v.is_null()) {
    out[path] = v;
  }
}

}  // namespace

std::vector<EnvDifference> diff_environments(const json& baseline, const json& candidate) {
  std::map<std::string, json> b, c;
  flatten(baseline, "", b);
  flatten(candidate, "", c);
  std::map<std::string, EnvDifference> differences;
  for (const auto* side : {&b, &c}) {
    for (const auto& [path, unused] : *side) {
      if (differences.count(path) || detail::is_volatile(path)) continue;
      const auto in_b = b.find(path);
      const auto in_c = c.find(path);
      const json vb = in_b == b.end() ? json() : in_b->second;
      const json vc = in_c == c.end() ? json() : in_c->second;
      if (vb != vc) differences[path] = EnvDifference{path, vb, vc, detail::importance(path)};
    }
  }
  std::vector<EnvDifference> out;
  for (auto& [path, d] : differences) out.push_back(std::move(d));
  std::stable_sort(out.begin(), out.end(), [](const auto& x, const auto& y) { return x.importance > y.importance; });
  return out;
}

}  // namespace sb::compare
