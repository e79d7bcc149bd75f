// to_text(): the snapshot as aligned plain-text lines under 100 columns, grouped by section, meant
// to be pasted into a GitHub issue or a forum post inside a code block.
#include <algorithm>
#include <array>
#include <map>
#include <utility>

#include <fmt/format.h>

#include "core/byte_size.hpp"
#include "env/environment.hpp"

namespace sb::env {
namespace {

constexpr std::size_t kWidth = 99;
constexpr std::size_t kIndent = 2;
constexpr std::size_t kMaxKeyColumn = 34;

constexpr std::array<const char*, 14> kSectionOrder = {
    "host", "os",   "cpu",       "memory", "cgroup", "shm",       "ulimits",
    "numa", "thp",  "container", "gpu",    "cuda",   "libraries", "env_vars"};

std::string scalar_text(const std::string& key, const nlohmann::json& v) {
  if (v.is_null()) return "-";
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "yes" : "no";
  if (v.is_number() && key.ends_with("_bytes") && v.get<double>() >= 1024)
    return byte_count_text(v.get<double>());
  if (v.is_number_float()) {  // at most two decimals, no trailing zeros: 0.5, 612.5, 1980
    std::string text = fmt::format("{:.2f}", v.get<double>());
    text.erase(text.find_last_not_of('0') + 1);
    if (text.back() == '.') text.pop_back();
    return text;
  }
  return v.dump();
}

struct Row {
  std::size_t depth;  // nesting of arrays of objects (GPU devices, NUMA nodes)
  std::string key;
  std::string value;
  bool header = false;  // "devices[0]": the rows below it (depth + 1) belong to it
};

// Flattens nested objects to "a.b" keys; each element of an array of objects becomes a header row
// with its members indented below it.
void flatten(const std::string& prefix, const nlohmann::json& v, std::size_t depth,
             std::vector<Row>& out) {
  if (v.is_object()) {
    if (v.empty()) {
      out.push_back({depth, prefix, "(none)"});
      return;
    }
    if (v.size() == 2 && v.contains("soft") && v.contains("hard")) {  // ulimits
      out.push_back({depth, prefix,
                     fmt::format("soft {}, hard {}", scalar_text(prefix, v["soft"]),
                                 scalar_text(prefix, v["hard"]))});
      return;
    }
    for (const auto& [k, item] : v.items())
      flatten(prefix.empty() ? k : prefix + "." + k, item, depth, out);
  } else if (v.is_array()) {
    const bool scalars = std::none_of(v.begin(), v.end(), [](const nlohmann::json& e) {
      return e.is_object() || e.is_array();
    });
    if (scalars) {
      std::string joined;
      for (const auto& e : v) joined += (joined.empty() ? "" : ", ") + scalar_text(prefix, e);
      out.push_back({depth, prefix, joined.empty() ? "(none)" : joined});
      return;
    }
    for (std::size_t i = 0; i < v.size(); ++i) {
      out.push_back({depth, fmt::format("{}[{}]", prefix, i), "", true});
      flatten("", v[i], depth + 1, out);
    }
  } else {
    out.push_back({depth, prefix, scalar_text(prefix, v)});
  }
}

// Breaks a long value into lines of at most `width`, preferring to break after a separator.
std::vector<std::string> wrap(const std::string& value, std::size_t width) {
  std::vector<std::string> lines;
  std::string rest = value;
  while (rest.size() > width) {
    std::size_t cut = rest.find_last_of(":, /", width - 1);
    cut = cut == std::string::npos || cut < width / 2 ? width : cut + 1;
    lines.push_back(rest.substr(0, cut));
    rest = rest.substr(cut);
  }
  lines.push_back(rest);
  return lines;
}

void section_text(const std::string& name, const nlohmann::json& section, std::string& out) {
  std::vector<Row> rows;
  if (section.is_object() || section.is_array())
    flatten("", section, 0, rows);
  else
    rows.push_back({0, "value", scalar_text("", section)});
  std::map<std::size_t, std::size_t> key_column;  // per depth, so that each level lines up
  for (const Row& r : rows)
    if (!r.header) key_column[r.depth] = std::max(key_column[r.depth], std::min(r.key.size(), kMaxKeyColumn));
  out += name + "\n";
  for (const Row& r : rows) {
    const std::size_t indent = kIndent * (r.depth + 1);
    if (r.header) {
      out += fmt::format("{:{}}{}\n", "", indent, r.key);
      continue;
    }
    const std::size_t column = std::max(key_column[r.depth], r.key.size()) + 2;
    const std::size_t value_width = kWidth > indent + column + 20 ? kWidth - indent - column : 20;
    const auto lines = wrap(r.value, value_width);
    out += fmt::format("{:{}}{:<{}}{}\n", "", indent, r.key, column, lines.front());
    for (std::size_t i = 1; i < lines.size(); ++i)
      out += fmt::format("{:{}}{}\n", "", indent + column, lines[i]);
  }
}

}  // namespace

std::string to_text(const nlohmann::json& snapshot) {
  std::string out = fmt::format("sparkbench {} environment, {}\n",
                                snapshot.value("sparkbench_version", std::string("?")),
                                snapshot.value("timestamp_utc", std::string("?")));
  std::vector<std::string> names(kSectionOrder.begin(), kSectionOrder.end());
  for (const auto& [k, v] : snapshot.items())  // sections added later still show
    if (std::find(names.begin(), names.end(), k) == names.end() && k != "sparkbench_version" &&
        k != "timestamp_utc")
      names.push_back(k);
  for (const std::string& name : names) {
    if (!snapshot.contains(name)) continue;
    out += "\n";
    section_text(name, snapshot.at(name), out);
  }
  return out;
}

}  // namespace sb::env
