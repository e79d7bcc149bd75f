#include "report/telemetry_view.hpp"

#include <set>


namespace sb::report::detail {

const telemetry::FieldSummary* telemetry_field(const Summary& summary, std::string_view field) {
  return summary ? summary->field(field) : nullptr;
}

std::optional<std::vector<std::string>> throttle_reasons(const Summary& summary) {
  if (!summary || !summary->throttle_reasons) return std::nullopt;
  return summary->throttle_reasons->names;
}

bool has_telemetry(const Summary& summary) {
  for (const auto& f : kTimelineFields) {
    if (telemetry_field(summary, f.key)) return true;
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
