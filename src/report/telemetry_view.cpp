#include "report/telemetry_view.hpp"

#include <set>


namespace sb::report::detail {

std::optional<double> telemetry_stat(const nlohmann::json& summary, const std::string& field,
                                     const std::string& stat) {
  if (!summary.is_object()) return std::nullopt;
  auto it = summary.find(field);
  if (it == summary.end()) return std::nullopt;
  if (it->is_number()) return it->get<double>();  // a bare value is the only statistic there is
  if (it->is_object()) {
    auto s = it->find(stat);
    if (s != it->end() && s->is_number()) return s->get<double>();
  }
  return std::nullopt;
}

std::optional<std::vector<std::string>> throttle_reasons(const nlohmann::json& summary) {
  if (!summary.is_object()) return std::nullopt;
  auto it = summary.find("throttle_reasons");
  if (it == summary.end() || !it->is_object() || !it->contains("names") || !(*it)["names"].is_array()) return std::nullopt;
  std::vector<std::string> names;
  for (const auto& v : (*it)["names"]) {
    if (v.is_string()) names.push_back(v.get<std::string>());
  }
  return names;
}

bool has_telemetry(const nlohmann::json& summary) {
  for (const auto& f : kTimelineFields) {
    if (telemetry_stat(summary, f.key, "mean")) return true;
  }
  return throttle_reasons(summary).has_value();
}

std::string unavailable_reasons(const compare::Comparison& c, bool candidate_side) {
  std::set<std::string> seen;
  std::string joined;
  auto add = [&](const nlohmann::json& t) {
    if (!t.is_object()) return;
    auto it = t.find("reason");
    if (it == t.end() || !it->is_string() || it->get<std::string>().empty()) return;
    if (seen.insert(it->get<std::string>()).second) joined += (joined.empty() ? "" : "; ") + it->get<std::string>();
  };
  for (const auto& k : c.cases) {
    add(candidate_side ? k.telemetry_candidate : k.telemetry_baseline);
    const record::CaseResult* r = candidate_side ? k.candidate : k.baseline;
    if (r != nullptr) add(r->telemetry);
  }
  return joined;
}

const nlohmann::json& timeline(const record::CaseResult* r) {
  static const nlohmann::json empty = nlohmann::json::array();
  if (r == nullptr || !r->telemetry.is_object()) return empty;
  auto it = r->telemetry.find("timeline");
  return it != r->telemetry.end() && it->is_array() ? *it : empty;
}

}  // namespace sb::report::detail
