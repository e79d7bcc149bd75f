#include "workloads/command/extract.hpp"

#include <cmath>
#include <optional>
#include <regex>
#include <sstream>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "core/error.hpp"

namespace sb::command {
namespace {

using nlohmann::json;

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    out.push_back(std::move(line));
  }
  return out;
}

std::string trimmed(const std::string& s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

std::optional<double> number_in(const std::string& s) {
  const std::string t = trimmed(s);
  if (t.empty()) return std::nullopt;
  try {
    std::size_t used = 0;
    const double v = std::stod(t, &used);
    if (used == t.size() && std::isfinite(v)) return v;
  } catch (const std::exception&) {
  }
  return std::nullopt;
}

// One CSV record; double quotes group a field and "" is a literal quote.
std::vector<std::string> csv_fields(const std::string& line, char separator) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') out.back() += line[++i];
      else if (c == '"') quoted = false;
      else out.back() += c;
    } else if (c == '"') {
      quoted = true;
    } else if (c == separator) {
      out.emplace_back();
    } else {
      out.back() += c;
    }
  }
  for (auto& f : out) f = trimmed(f);
  return out;
}

}  // namespace

std::optional<std::string> find_regex(const std::string& text, const std::string& pattern, bool last) {
  const std::regex re(pattern);
  std::optional<std::string> found;
  for (const auto& line : lines_of(text)) {
    std::smatch m;
    if (!std::regex_search(line, m, re)) continue;
    found = m.size() > 1 ? m[1].str() : m[0].str();
    if (!last) break;
  }
  return found;
}

double extract_regex(const std::string& text, const std::string& pattern, bool last) {
  const std::optional<std::string> found = find_regex(text, pattern, last);
  if (!found) throw Error(fmt::format("no line matches the regex '{}'", pattern),
                          "compare the pattern with the output below (it is matched line by line)");
  const auto v = number_in(*found);
  if (!v) throw Error(fmt::format("the regex '{}' captured '{}', which is not a number", pattern, *found),
                      "make the first capture group cover only the number");
  return *v;
}

double extract_json_pointer(const std::string& text, const std::string& pointer) {
  // The whole output as one document (a tool's JSON report), else the last line that is one
  // (a script printing a JSON line after its logs).
  json doc = json::parse(text, nullptr, false);
  if (doc.is_discarded()) {
    const auto lines = lines_of(text);
    for (auto it = lines.rbegin(); it != lines.rend(); ++it) {
      const std::string t = trimmed(*it);
      if (t.empty() || (t.front() != '{' && t.front() != '[')) continue;
      doc = json::parse(t, nullptr, false);
      if (!doc.is_discarded()) break;
    }
  }
  if (doc.is_discarded())
    throw Error("the output is not a JSON document and has no line that is one",
                "have the program print its results as JSON (one object per line, or the whole output)");
  const json::json_pointer ptr(pointer);
  if (!doc.contains(ptr)) {
    std::vector<std::string> keys;
    if (doc.is_object())
      for (const auto& [k, v] : doc.items()) keys.push_back(k);
    throw Error(fmt::format("the JSON has nothing at '{}'", pointer),
                doc.is_object() ? fmt::format("its top-level keys: {}", fmt::join(keys, ", "))
                                : fmt::format("the document is a JSON {} of {} elements", doc.type_name(), doc.size()));
  }
  const json& v = doc.at(ptr);
  if (v.is_number()) return v.get<double>();
  if (v.is_string())
    if (const auto d = number_in(v.get<std::string>())) return *d;
  throw Error(fmt::format("the JSON value at '{}' is {}, not a number", pointer, v.dump()),
              "point at a number");
}

double extract_csv(const std::string& text, const std::string& column, bool last_row, char separator) {
  const auto lines = lines_of(text);
  std::size_t header = lines.size(), index = 0, width = 0;
  for (std::size_t i = 0; i < lines.size() && header == lines.size(); ++i) {
    const auto fields = csv_fields(lines[i], separator);
    for (std::size_t c = 0; c < fields.size(); ++c)
      if (fields[c] == column) {
        header = i;
        index = c;
        width = fields.size();
        break;
      }
  }
  if (header == lines.size())
    throw Error(fmt::format("no CSV header line has a column '{}'", column),
                "name the column as the header row spells it");
  std::optional<std::string> cell;
  for (std::size_t i = header + 1; i < lines.size(); ++i) {
    const auto fields = csv_fields(lines[i], separator);
    if (fields.size() != width) continue;  // not a row of this table (a log line, a blank)
    cell = fields[index];
    if (!last_row) break;
  }
  if (!cell) throw Error(fmt::format("the CSV with column '{}' has no data row", column), "check that the tool wrote its results");
  const auto v = number_in(*cell);
  if (!v) throw Error(fmt::format("CSV column '{}' holds '{}', not a number", column, *cell), "choose a numeric column");
  return *v;
}

double extract(const Extraction& x, const std::string& text) {
  double v = 0;
  switch (x.method) {
    case Extraction::Method::Regex: v = extract_regex(text, x.pattern, x.last); break;
    case Extraction::Method::JsonPointer: v = extract_json_pointer(text, x.pattern); break;
    case Extraction::Method::Csv: v = extract_csv(text, x.pattern, x.last, x.separator); break;
  }
  return v * x.scale;
}

std::string tail(const std::string& text, std::size_t max_lines, std::size_t max_chars) {
  const auto lines = lines_of(text);
  std::string out;
  for (std::size_t i = lines.size() > max_lines ? lines.size() - max_lines : 0; i < lines.size(); ++i) out += lines[i] + "\n";
  if (out.size() > max_chars) out = "..." + out.substr(out.size() - max_chars);
  return out;
}

}  // namespace sb::command
