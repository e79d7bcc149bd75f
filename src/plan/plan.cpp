#include "plan/plan.hpp"

#include <set>

namespace sb::plan {

using nlohmann::json;

std::vector<PlannedCase> expand(const Workload& w, const config::Axes& axes) {
  for (const auto& [name, values] : axes) {
    (void)values;
    find_param(w, name);  // throws listing the valid ones
  }
  std::vector<PlannedCase> out{PlannedCase{&w, Params{}}};
  for (const ParamSpec& p : w.params) {
    auto it = axes.find(p.name);
    const std::vector<std::string>& values = it != axes.end() ? it->second : p.defaults;
    std::vector<PlannedCase> next;
    for (const auto& partial : out)
      for (const auto& v : values) {
        PlannedCase c = partial;
        c.params.set(p.name, validate_param(w, p, v));
        next.push_back(std::move(c));
      }
    out = std::move(next);
  }
  return out;
}

std::vector<PlannedCase> suite_cases(const config::Suite& s, bool gpu_present) {
  std::vector<PlannedCase> out;
  std::set<std::string> seen;
  for (const auto& e : s.entries) {
    if ((e.when == "gpu" && !gpu_present) || (e.when == "no-gpu" && gpu_present)) continue;
    for (auto& c : expand(Registry::instance().get(e.workload), e.params))
      if (seen.insert(c.id()).second) out.push_back(std::move(c));
  }
  return out;
}

json cases_to_json(const std::vector<PlannedCase>& cases) {
  json out = json::array();
  for (const auto& c : cases) {
    json entry = {{"workload", c.workload->name}, {"params", c.params.values()}};
    if (!c.workload->definition.is_null()) entry["definition"] = c.workload->definition;
    out.push_back(std::move(entry));
  }
  return out;
}

std::vector<PlannedCase> cases_from_json(const json& j) {
  std::vector<PlannedCase> out;
  for (const auto& c : j) {
    if (c.contains("definition")) Registry::instance().define(c.at("definition"));
    const Workload& w = Registry::instance().get(c.at("workload").get<std::string>());
    Params p;
    for (const auto& [name, value] : c.at("params").items())
      p.set(name, validate_param(w, find_param(w, name), value.get<std::string>()));
    out.push_back({&w, std::move(p)});
  }
  return out;
}

}  // namespace sb::plan
