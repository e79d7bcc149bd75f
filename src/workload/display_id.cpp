#include "workload/display_id.hpp"

#include <algorithm>

#include "core/error.hpp"

namespace sb {
namespace {

// Whether p is a tuning parameter at its only default, compared in canonical form (a default
// written "010" is 10).
bool is_default_tuning(const Workload& w, const ParamSpec& p, const std::string& value) {
  if (!p.tuning || p.defaults.size() != 1) return false;
  try {
    return validate_param(w, p, p.defaults.front()) == value;
  } catch (const Error&) {
    return p.defaults.front() == value;
  }
}

}  // namespace

std::string display_id(const Workload& w, const Params& params) {
  std::string shown;
  for (const auto& [name, value] : params.values()) {
    const auto spec = std::find_if(w.params.begin(), w.params.end(), [&](const ParamSpec& p) { return p.name == name; });
    if (spec != w.params.end() && is_default_tuning(w, *spec, value)) continue;
    shown += (shown.empty() ? "" : ",") + name + "=" + value;
  }
  return shown.empty() ? w.name : w.name + "/" + shown;
}

std::string display_id(std::string_view workload_name, const Params& params) {
  if (const Workload* w = Registry::instance().find(workload_name)) return display_id(*w, params);
  return std::string(workload_name) + "/" + params.id();
}

}  // namespace sb
