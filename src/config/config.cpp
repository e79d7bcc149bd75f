#include "config/config.hpp"

#include <unistd.h>

#include <fstream>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <yaml-cpp/yaml.h>

#include "core/error.hpp"

namespace sb::config {

using nlohmann::json;

namespace {

std::string where(const std::string& source, const YAML::Node& n) {
  const YAML::Mark m = n.Mark();
  if (m.line < 0) return source;
  return fmt::format("{}:{}:{}", source, m.line + 1, m.column + 1);
}

void check_keys(const YAML::Node& map, const std::set<std::string>& valid, const std::string& source,
                const std::string& what) {
  for (const auto& kv : map) {
    const auto key = kv.first.as<std::string>();
    if (!valid.count(key))
      throw Error(fmt::format("{}: unknown key '{}' in {}", where(source, kv.first), key, what),
                  fmt::format("valid keys: {}", fmt::join(valid, ", ")));
  }
}

std::vector<std::string> scalar_or_list(const YAML::Node& n, const std::string& source) {
  std::vector<std::string> out;
  if (n.IsScalar()) {
    out.push_back(n.as<std::string>());
  } else if (n.IsSequence()) {
    for (const auto& v : n) {
      if (!v.IsScalar())
        throw Error(fmt::format("{}: parameter values must be scalars", where(source, v)),
                    "write a value or a list of values, e.g. `n: [1024, 2048]`");
      out.push_back(v.as<std::string>());
    }
  } else {
    throw Error(fmt::format("{}: expected a value or a list of values", where(source, n)),
                "write e.g. `n: 1024` or `n: [1024, 2048]`");
  }
  if (out.empty())
    throw Error(fmt::format("{}: empty list of parameter values", where(source, n)), "give at least one value");
  return out;
}

SettingsOverrides settings_overrides(const YAML::Node& n, const std::string& source) {
  if (!n.IsMap())
    throw Error(fmt::format("{}: settings must be a mapping", where(source, n)),
                "write e.g. `defaults: {warmup: 2, max_reps: 30}`");
  std::vector<std::pair<std::string, double>> values;  // every value a number before any name is checked
  for (const auto& kv : n) {
    const auto key = kv.first.as<std::string>();
    const auto text = kv.second.as<std::string>();
    if (text == "true" || text == "false") {  // a switch (canary: true), as 1 or 0
      values.emplace_back(key, text == "true" ? 1 : 0);
      continue;
    }
    try {
      std::size_t used = 0;
      values.emplace_back(key, std::stod(text, &used));
      if (used != text.size()) throw std::invalid_argument(text);
    } catch (const std::exception&) {
      throw Error(fmt::format("{}: setting '{}' must be a number, got '{}'", where(source, kv.second), key, text),
                  "give a number");
    }
  }
  SettingsOverrides out;
  for (const auto& [key, v] : values) set_setting(out, key, v, source);
  return out;
}

Entry parse_entry(const YAML::Node& n, const std::string& source) {
  if (!n.IsMap())
    throw Error(fmt::format("{}: a suite case must be a mapping", where(source, n)),
                "write e.g. `- {workload: matmul, params: {n: 1024}}`");
  check_keys(n, {"workload", "params", "when"}, source, "a suite case");
  if (!n["workload"])
    throw Error(fmt::format("{}: suite case without a workload", where(source, n)),
                "add `workload: <name>` (see `sparkbench list`)");
  Entry e;
  e.workload = n["workload"].as<std::string>();
  const Workload* w = Registry::instance().find(e.workload);
  if (!w && e.workload.starts_with("command:"))
    throw Error(fmt::format("{}: unknown workload '{}': no command '{}' is defined", where(source, n["workload"]),
                            e.workload, e.workload.substr(8)),
                "define it under `commands:` in this file (docs/commands.md), or check the name's spelling");
  if (!w)
    throw Error(fmt::format("{}: unknown workload '{}'", where(source, n["workload"]), e.workload),
                fmt::format("valid workloads: {}", fmt::join(Registry::instance().names(), ", ")));
  if (const auto p = n["params"]) {
    if (!p.IsMap())
      throw Error(fmt::format("{}: params must be a mapping", where(source, p)), "write e.g. `params: {n: 1024}`");
    for (const auto& kv : p) {
      const auto name = kv.first.as<std::string>();
      try {
        const ParamSpec& spec = find_param(*w, name);
        auto values = scalar_or_list(kv.second, source);
        for (auto& v : values) v = validate_param(*w, spec, v);
        e.params[name] = std::move(values);
      } catch (const Error& err) {
        throw Error(fmt::format("{}: {}", where(source, kv.first), err.what()), err.fix());
      }
    }
  }
  if (const auto when = n["when"]) {
    e.when = when.as<std::string>();
    if (e.when != "gpu" && e.when != "no-gpu")
      throw Error(fmt::format("{}: `when: {}` is not a known condition", where(source, when), e.when),
                  "use `when: gpu` (only where a CUDA device is present) or `when: no-gpu`");
  }
  return e;
}

// YAML as JSON for a workload definition: every scalar stays text (the definition's reader knows
// which fields are numbers), so `--n` and `"{n}"` in an argv arrive exactly as written.
json yaml_to_json(const YAML::Node& n) {
  if (n.IsMap()) {
    json out = json::object();
    for (const auto& kv : n) out[kv.first.as<std::string>()] = yaml_to_json(kv.second);
    return out;
  }
  if (n.IsSequence()) {
    json out = json::array();
    for (const auto& v : n) out.push_back(yaml_to_json(v));
    return out;
  }
  if (n.IsScalar()) return n.as<std::string>();
  return nullptr;
}

std::vector<const Workload*> define_commands(const YAML::Node& n, const std::string& source) {
  if (!n.IsMap())
    throw Error(fmt::format("{}: `commands:` must be a mapping of names to command definitions", where(source, n)),
                "write e.g. `commands: {hello: {argv: [echo, hi]}}` (see docs/commands.md)");
  std::error_code ec;
  const auto dir = std::filesystem::weakly_canonical(std::filesystem::absolute(source, ec), ec).parent_path();
  std::vector<const Workload*> out;
  for (const auto& kv : n) {
    const auto name = kv.first.as<std::string>();
    json definition = yaml_to_json(kv.second);
    if (!definition.is_object())
      throw Error(fmt::format("{}: command '{}' must be a mapping", where(source, kv.second), name),
                  "give it at least `argv: [program, args...]` (see docs/commands.md)");
    definition["kind"] = "command";
    definition["name"] = name;
    definition["config_dir"] = dir.string();
    try {
      out.push_back(&Registry::instance().define(definition));
    } catch (const Error& e) {
      throw Error(fmt::format("{}: {}", where(source, kv.first), e.what()), e.fix());
    }
  }
  return out;
}

Suite parse_suite(const std::string& name, const YAML::Node& n, const std::string& source) {
  if (!n.IsMap())
    throw Error(fmt::format("{}: suite '{}' must be a mapping", where(source, n), name),
                "give the suite `description:` and `cases:`");
  check_keys(n, {"description", "cases", "settings"}, source, fmt::format("suite '{}'", name));
  Suite s;
  s.name = name;
  if (n["description"]) s.description = n["description"].as<std::string>();
  if (!n["cases"] || !n["cases"].IsSequence() || n["cases"].size() == 0)
    throw Error(fmt::format("{}: suite '{}' has no cases", where(source, n), name),
                "add a `cases:` list of `- {workload: ..., params: {...}}`");
  for (const auto& c : n["cases"]) s.entries.push_back(parse_entry(c, source));
  if (n["settings"]) s.settings = settings_overrides(n["settings"], source);
  return s;
}

// The 0-based column of a tab that explains a YAML parse error at (line, column): the character
// there, or a tab in that line's indentation. yaml-cpp reports a tab-indented line as whatever
// construct it breaks ("end of map not found", "illegal block entry"), never as the tab.
std::optional<int> tab_at(const std::string& text, int line, int column) {
  std::istringstream in(text);
  std::string row;
  for (int i = 0; i <= line; ++i)
    if (!std::getline(in, row)) return std::nullopt;
  if (column >= 0 && column < static_cast<int>(row.size()) && row[column] == '\t') return column;
  const auto indentation = row.find_first_not_of(" \t");
  const auto tab = row.find('\t');
  if (tab != std::string::npos && (indentation == std::string::npos || tab < indentation)) return static_cast<int>(tab);
  return std::nullopt;
}

}  // namespace

void set_setting(SettingsOverrides& o, const std::string& key, double v, const std::string& where_) {
  if (key == "warmup") o.warmup = static_cast<int>(v);
  else if (key == "min_reps") o.min_reps = static_cast<int>(v);
  else if (key == "max_reps") o.max_reps = static_cast<int>(v);
  else if (key == "max_time_s") o.max_time_s = v;
  else if (key == "ci_target_pct") o.ci_target_pct = v;
  else if (key == "telemetry_interval_ms") o.telemetry_interval_ms = static_cast<int>(v);
  else if (key == "seed") o.seed = static_cast<std::uint64_t>(v);
  else if (key == "canary") o.canary = v != 0;
  else
    throw Error(fmt::format("{}: unknown setting '{}'", where_, key),
                "valid settings: warmup, min_reps, max_reps, max_time_s, ci_target_pct, telemetry_interval_ms, seed, canary");
}

const Suite& Config::suite(const std::string& name) const {
  for (const auto& s : suites)
    if (s.name == name) return s;
  std::vector<std::string> names;
  for (const auto& s : suites) names.push_back(s.name);
  throw Error(fmt::format("no suite '{}' in {}", name, file.string()),
              fmt::format("valid suites: {} (see `sparkbench list --suites`)", fmt::join(names, ", ")));
}

Config parse(const std::string& yaml_text, const std::string& source_name) {
  YAML::Node root;
  try {
    root = YAML::Load(yaml_text);
  } catch (const YAML::ParserException& e) {
    if (const auto tab = tab_at(yaml_text, e.mark.line, e.mark.column))
      throw Error(fmt::format("a tab character at {}:{}:{}: YAML indents with spaces", source_name, e.mark.line + 1,
                              *tab + 1),
                  "replace the tab with spaces");
    throw Error(fmt::format("{}:{}:{}: malformed YAML: {}", source_name, e.mark.line + 1, e.mark.column + 1, e.msg),
                "fix the YAML syntax at that line and column (indentation, a missing ':' or bracket)");
  }
  if (!root.IsMap())
    throw Error(fmt::format("{}: the config must be a mapping with `suites:`", source_name),
                "see benchmarks/config.yaml for the format");
  Config c;
  c.file = source_name;
  try {
    check_keys(root, {"defaults", "commands", "suites"}, source_name, "the top level");
    if (root["defaults"]) c.defaults = settings_overrides(root["defaults"], source_name);
    if (root["commands"]) c.commands = define_commands(root["commands"], source_name);
    const auto suites = root["suites"];
    if (!suites && !c.commands.empty()) return c;  // commands only: run them with --workload command:<name>
    if (!suites || !suites.IsMap() || suites.size() == 0)
      throw Error(fmt::format("{}: no `suites:` mapping", source_name), "define at least one suite under `suites:`");
    for (const auto& kv : suites) c.suites.push_back(parse_suite(kv.first.as<std::string>(), kv.second, source_name));
  } catch (const YAML::Exception& e) {
    throw Error(fmt::format("{}:{}:{}: {}", source_name, e.mark.line + 1, e.mark.column + 1, e.msg),
                "see benchmarks/config.yaml for the format");
  }
  return c;
}

Config load(const std::filesystem::path& file) {
  // A directory opens like an empty file and would be reported as a config without `suites:`.
  if (std::error_code ec; std::filesystem::is_directory(file, ec))
    throw Error(fmt::format("config {} is a directory; a config file (YAML) is expected", file.string()),
                std::filesystem::exists(file / "config.yaml", ec)
                    ? fmt::format("pass the file itself: --config {}", (file / "config.yaml").string())
                    : "pass a YAML file with --config (benchmarks/config.yaml shows the format)");
  std::ifstream in(file);
  if (!in)
    throw Error(fmt::format("cannot read config {}: {}", file.string(), std::strerror(errno)),
                "pass an existing file with --config, or run from the sparkbench checkout");
  std::stringstream ss;
  ss << in.rdbuf();
  return parse(ss.str(), file.string());
}

std::filesystem::path default_config_path() {
  namespace fs = std::filesystem;
  if (const char* env = std::getenv("SPARKBENCH_CONFIG")) return env;
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  std::vector<fs::path> candidates;
  if (!ec) {
    candidates.push_back(exe.parent_path() / "../benchmarks/config.yaml");
    candidates.push_back(exe.parent_path() / "../share/sparkbench/config.yaml");
  }
  candidates.push_back("benchmarks/config.yaml");
  for (const auto& p : candidates)
    if (fs::exists(p, ec)) return fs::weakly_canonical(p, ec);
  return "benchmarks/config.yaml";
}

}  // namespace sb::config
