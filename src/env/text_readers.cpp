// Text helpers and the parsers of simple /proc and /sys formats.
#include <algorithm>
#include <charconv>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "env/readers.hpp"

extern char** environ;

namespace sb::env {
namespace {

std::vector<std::string_view> split(std::string_view text, char sep) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t end = std::min(text.find(sep, start), text.size());
    parts.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

template <class T>
std::optional<T> to_number(std::string_view s) {
  T value{};
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return value;
}

}  // namespace

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return std::nullopt;
  return text.str();
}

std::optional<std::string> read_first_line(const std::string& path) {
  const auto text = read_file(path);
  if (!text) return std::nullopt;
  return trim(std::string_view(*text).substr(0, text->find('\n')));
}

std::string trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(first, last - first + 1));
}

std::optional<std::vector<int>> parse_cpu_list(std::string_view text) {
  const std::string list = trim(text);
  std::vector<int> cpus;
  if (list.empty()) return cpus;
  for (std::string_view part : split(list, ',')) {
    const auto dash = part.find('-');
    const auto lo = to_number<int>(part.substr(0, dash));
    const auto hi = dash == std::string_view::npos ? lo : to_number<int>(part.substr(dash + 1));
    if (!lo || !hi || *lo < 0 || *hi < *lo) return std::nullopt;
    for (int cpu = *lo; cpu <= *hi; ++cpu) cpus.push_back(cpu);
  }
  std::sort(cpus.begin(), cpus.end());
  cpus.erase(std::unique(cpus.begin(), cpus.end()), cpus.end());
  return cpus;
}

std::string format_cpu_list(const std::vector<int>& cpus) {
  std::string out;
  for (std::size_t i = 0; i < cpus.size();) {
    std::size_t j = i;
    while (j + 1 < cpus.size() && cpus[j + 1] == cpus[j] + 1) ++j;
    if (!out.empty()) out += ',';
    out += j == i ? fmt::format("{}", cpus[i]) : fmt::format("{}-{}", cpus[i], cpus[j]);
    i = j + 1;
  }
  return out;
}

std::map<std::string, std::string> parse_key_value_lines(std::string_view text) {
  std::map<std::string, std::string> values;
  for (std::string_view line : split(text, '\n')) {
    const std::string l = trim(line);
    const auto eq = l.find('=');
    if (l.empty() || l[0] == '#' || eq == std::string::npos) continue;
    std::string value = trim(std::string_view(l).substr(eq + 1));
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
        value.back() == value.front())
      value = value.substr(1, value.size() - 2);
    values[trim(std::string_view(l).substr(0, eq))] = value;
  }
  return values;
}

std::optional<std::string> parse_bracket_choice(std::string_view text) {
  const auto open = text.find('[');
  const auto close = text.find(']', open);
  if (open == std::string_view::npos || close == std::string_view::npos) return std::nullopt;
  return std::string(text.substr(open + 1, close - open - 1));
}

std::map<std::string, std::uint64_t> parse_meminfo(std::string_view text) {
  std::map<std::string, std::uint64_t> values;
  for (std::string_view line : split(text, '\n')) {
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string key = trim(line.substr(0, colon));
    if (key.starts_with("Node ")) key = key.substr(key.rfind(' ') + 1);  // "Node 0 MemTotal"
    std::istringstream rest{std::string(line.substr(colon + 1))};
    std::uint64_t number = 0;
    std::string unit;
    if (!(rest >> number)) continue;
    rest >> unit;
    values[key] = unit == "kB" ? number * 1024 : number;
  }
  return values;
}

std::optional<std::string> parse_cpu_model(std::string_view cpuinfo) {
  std::map<std::string, std::string> first;  // first occurrence of each key (CPU 0)
  for (std::string_view line : split(cpuinfo, '\n')) {
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    first.emplace(trim(line.substr(0, colon)), trim(line.substr(colon + 1)));
  }
  for (const char* key : {"model name", "Model Name", "Hardware", "cpu model"})
    if (first.contains(key) && !first[key].empty()) return first[key];
  if (first.contains("CPU implementer") && first.contains("CPU part"))
    return fmt::format("arm implementer {} part {}", first["CPU implementer"], first["CPU part"]);
  return std::nullopt;
}

nlohmann::json count_values(const std::vector<std::string>& values) {
  nlohmann::json counts = nlohmann::json::object();
  for (const std::string& v : values) counts[v] = counts.value(v, 0) + 1;
  return counts;
}

std::vector<std::string> split_words(std::string_view text, char sep) {
  std::vector<std::string> words;
  std::string word;
  std::istringstream in{std::string(text)};
  while (std::getline(in, word, sep))
    if (!word.empty()) words.push_back(word);
  return words;
}

std::string unescape_octal(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size()) {
      int code = 0;
      const auto [end, ec] = std::from_chars(s.data() + i + 1, s.data() + i + 4, code, 8);
      if (ec == std::errc() && end == s.data() + i + 4) {
        out += static_cast<char>(code);
        i += 3;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

std::optional<double> read_khz_as_mhz(const std::string& path) {
  const auto line = read_first_line(path);
  if (!line) return std::nullopt;
  try {
    return std::stod(*line) / 1000.0;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::map<std::string, std::string> process_environment() {
  std::map<std::string, std::string> out;
  for (char** e = environ; e && *e; ++e) {
    const std::string_view kv(*e);
    const auto eq = kv.find('=');
    if (eq != std::string_view::npos) out.emplace(kv.substr(0, eq), kv.substr(eq + 1));
  }
  return out;
}

}  // namespace sb::env
