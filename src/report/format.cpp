#include "report/format.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include <fmt/format.h>

#include "core/byte_size.hpp"

namespace sb::report::detail {

std::string number(double x, int significant) {
  if (!std::isfinite(x)) return "n/a";
  if (x == 0) return "0";
  const int magnitude = static_cast<int>(std::floor(std::log10(std::abs(x))));
  if (magnitude < -4 || magnitude >= 9) return fmt::format("{:.{}e}", x, std::max(0, significant - 1));
  return fmt::format("{:.{}f}", x, std::max(0, significant - 1 - magnitude));
}

std::string center_with_ci(const compare::SideBasis& s, const std::string& unit) {
  if (s.units.empty()) return "n/a";
  const std::string suffix = unit.empty() ? "" : " " + unit;
  const double half = (s.center_ci.high - s.center_ci.low) / 2;
  if (s.units.size() < 2 || !std::isfinite(half) || half <= 0) return number(s.center) + suffix;
  // Two significant digits of the half-width decide the decimals of both numbers, but the centre
  // keeps at least four significant digits: the overhead must be recomputable from two centres.
  const int from_half = 1 - static_cast<int>(std::floor(std::log10(half)));
  const int from_center = s.center != 0 ? 3 - static_cast<int>(std::floor(std::log10(std::abs(s.center)))) : 0;
  const int decimals = std::clamp(std::max(from_half, from_center), 0, 9);
  return fmt::format("{:.{}f} ± {:.{}f}{}", s.center, decimals, half, decimals, suffix);
}

std::string signed_pct(double pct) {
  if (!std::isfinite(pct)) return "n/a";
  double rounded = std::round(pct * 10) / 10;
  if (rounded == 0) rounded = 0;  // no "-0.0"
  return fmt::format("{:+.1f}", rounded);
}

std::string overhead_with_ci(double pct, stats::Interval ci) {
  return fmt::format("{}% [{}, {}]", signed_pct(pct), signed_pct(ci.low), signed_pct(ci.high));
}

std::string p_value(double p) {
  if (!std::isfinite(p)) return "n/a";
  if (p < 0.001) return "<0.001";
  if (p < 0.01) return fmt::format("{:.3f}", p);
  return fmt::format("{:.2f}", p);
}

std::string verdict_label(compare::Verdict v) { return compare::to_string(v); }

std::string short_of_target_text(const compare::CaseComparison& k) {
  std::string out;
  for (const auto& [side, s] : {std::pair{"baseline", &k.baseline_short}, std::pair{"candidate", &k.candidate_short}}) {
    if (!*s) continue;
    out += fmt::format("{}{}: {} of {} round(s) stopped at {} with the CI at up to ±{:.1f}% (target ±{:g}%)",
                       out.empty() ? "" : "; ", side, (*s)->rounds, (*s)->of, (*s)->reasons, (*s)->widest_pct,
                       (*s)->target_pct);
  }
  return out;
}

std::string md_cell(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char ch : s) {
    if (ch == '|') out += "\\|";
    else if (ch == '\n' || ch == '\r') out += ' ';
    else out += ch;
  }
  return out;
}

std::string csv_field(std::string_view s) {
  if (s.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(s);
  std::string out = "\"";
  for (char ch : s) {
    if (ch == '"') out += '"';
    out += ch;
  }
  return out + "\"";
}

std::string json_value_text(const nlohmann::json& v, std::size_t max_chars) {
  std::string text = v.is_null() ? "(absent)" : v.is_string() ? v.get<std::string>() : v.dump();
  if (text.size() > max_chars) text = text.substr(0, max_chars) + "…";
  return text;
}

namespace {
// Whether one of the path's keys ends in "_bytes"; what is in brackets (an index, a file name such
// as libcuda.so.1) is not a key.
bool names_bytes(const std::string& path) {
  std::string keys;
  int depth = 0;
  for (char ch : path) {
    if (ch == '[') ++depth;
    else if (ch == ']') --depth;
    else if (depth == 0) keys += ch;
  }
  std::istringstream in(keys);
  for (std::string key; std::getline(in, key, '.');)
    if (key.ends_with("_bytes")) return true;
  return false;
}
}  // namespace

std::string env_value_text(const std::string& path, const nlohmann::json& v) {
  if (v.is_number() && names_bytes(path)) return byte_count_text(v.get<double>());
  return json_value_text(v);
}

namespace {
std::string first_name(const nlohmann::json& j) {
  if (j.is_object()) {
    if (auto it = j.find("name"); it != j.end() && it->is_string()) return it->get<std::string>();
    for (const auto& [key, value] : j.items()) {
      if (auto name = first_name(value); !name.empty()) return name;
    }
  } else if (j.is_array()) {
    for (const auto& value : j) {
      if (auto name = first_name(value); !name.empty()) return name;
    }
  }
  return "";
}
}  // namespace

std::string gpu_name(const nlohmann::json& environment) {
  if (!environment.is_object() || !environment.contains("gpu")) return "";
  const auto& gpu = environment["gpu"];
  // env::capture writes gpu.devices[i].name; older or foreign snapshots get the first name found.
  if (gpu.is_object() && gpu.contains("devices")) {
    if (auto name = first_name(gpu["devices"]); !name.empty()) return name;
  }
  return first_name(gpu);
}

AxisLabels axis_labels(const std::vector<std::string>& ids, std::size_t max_label) {
  std::size_t prefix = 0, suffix = 0;
  if (ids.size() >= 2) {
    const std::string& first = ids.front();
    std::size_t common_prefix = first.size(), common_suffix = first.size();
    for (const auto& id : ids) {
      std::size_t p = 0, q = 0;
      while (p < common_prefix && p < id.size() && id[p] == first[p]) ++p;
      while (q < common_suffix && q < id.size() && id[id.size() - 1 - q] == first[first.size() - 1 - q]) ++q;
      common_prefix = p;
      common_suffix = q;
    }
    // Cut only at parameter boundaries: the prefix ends after a '/' or ',', the suffix starts with ','.
    const auto cut = first.find_last_of("/,", common_prefix == 0 ? std::string::npos : common_prefix - 1);
    prefix = common_prefix == 0 || cut == std::string::npos ? 0 : cut + 1;
    const auto start = first.find(',', first.size() - common_suffix);
    suffix = start == std::string::npos ? 0 : first.size() - start;
    for (const auto& id : ids) {
      if (prefix + suffix >= id.size()) prefix = suffix = 0;  // nothing would be left to tell cases apart
    }
  }
  AxisLabels out;
  if (prefix + suffix > 0) out.shared = ids.front().substr(0, prefix) + "..." + ids.front().substr(ids.front().size() - suffix);
  for (const auto& id : ids) {
    std::string label = id.substr(prefix, id.size() - prefix - suffix);
    if (label.size() > max_label) {
      const std::size_t head = (max_label - 3) / 2;
      label = label.substr(0, head) + "..." + label.substr(label.size() - (max_label - 3 - head));
    }
    out.labels.push_back(std::move(label));
  }
  return out;
}

}  // namespace sb::report::detail
