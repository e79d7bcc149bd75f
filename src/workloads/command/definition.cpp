#include "workloads/command/definition.hpp"

#include <algorithm>
#include <cmath>
#include <regex>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/error.hpp"
#include "core/redact.hpp"
#include "workloads/command/presets.hpp"

namespace sb::command {
namespace {

using nlohmann::json;

// Names every command knows besides its parameters.
const std::set<std::string> kBuiltins = {"output_file", "config_dir", "seed"};

constexpr const char* kDocs = "see docs/commands.md";

bool is_identifier(const std::string& s) {
  if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

bool is_name(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
  });
}

class Reader {
 public:
  explicit Reader(std::string command) : command_(std::move(command)) {}
  const std::string& command() const { return command_; }

  [[noreturn]] void fail(const std::string& problem, const std::string& fix) const {
    throw Error(fmt::format("command '{}': {}", command_, problem), fix);
  }

  void check_keys(const json& j, const std::set<std::string>& valid, const std::string& what) const {
    if (!j.is_object()) fail(fmt::format("{} must be a mapping", what), kDocs);
    for (const auto& [key, value] : j.items())
      if (!valid.count(key))
        fail(fmt::format("unknown key '{}' in {}", key, what), fmt::format("valid keys: {}", fmt::join(valid, ", ")));
  }

  std::string text(const json& v, const std::string& what) const {
    if (v.is_string()) return v.get<std::string>();
    if (v.is_number() || v.is_boolean()) return v.dump();
    fail(fmt::format("{} must be a value, not {}", what, v.dump()), kDocs);
  }

  double number(const json& v, const std::string& what) const {
    if (v.is_number()) return v.get<double>();
    if (v.is_string()) {
      const std::string s = v.get<std::string>();
      try {
        std::size_t used = 0;
        const double d = std::stod(s, &used);
        if (used == s.size() && std::isfinite(d)) return d;
      } catch (const std::exception&) {
      }
    }
    fail(fmt::format("{} must be a number, got {}", what, v.dump()), "give a number, e.g. 600");
  }

  std::vector<std::string> list(const json& v, const std::string& what) const {
    std::vector<std::string> out;
    if (v.is_array()) {
      for (const auto& e : v) out.push_back(text(e, what));
    } else {
      out.push_back(text(v, what));
    }
    return out;
  }

 private:
  std::string command_;
};

// `min:` or `max:` of a numeric parameter (inclusive), a whole number for an int one.
std::optional<double> bound(const Reader& r, const ParamSpec& p, const json& j, const char* key, const std::string& what) {
  if (!j.contains(key)) return std::nullopt;
  if (p.type == ParamSpec::Type::String)
    r.fail(fmt::format("{} is a string but has `{}:`", what, key), "give it `type: int` or `type: float`, or drop the bound");
  const double v = r.number(j[key], fmt::format("{} {}", what, key));
  if (p.type == ParamSpec::Type::Int && std::trunc(v) != v)
    r.fail(fmt::format("{} is an int but its {} is {}", what, key, v), "give a whole number");
  return v;
}

ParamSpec parse_param(const Reader& r, const std::string& name, const json& j) {
  if (!is_identifier(name) || kBuiltins.count(name))
    r.fail(fmt::format("'{}' cannot be a parameter name", name),
           fmt::format("use letters, digits and '_' (not starting with a digit), and none of: {}", fmt::join(kBuiltins, ", ")));
  // A parameter's value is part of the case id: progress lines, records and reports all show it.
  if (redact::is_secret_name(name))
    r.fail(fmt::format("parameter '{}' is named like a secret, and a parameter's value is shown everywhere (the case id)", name),
           "pass a secret through `env:` or as the value of an option in argv: those are redacted from records and output");
  ParamSpec p;
  p.name = name;
  const std::string what = fmt::format("parameter '{}'", name);
  if (!j.is_object()) {  // shorthand: `n: [1024, 2048]` is a text parameter with that default axis
    p.defaults = r.list(j, what);
  } else {
    r.check_keys(j, {"type", "default", "choices", "min", "max", "help"}, what);
    const std::string type = j.contains("type") ? r.text(j["type"], what + " type") : "string";
    if (type == "int") p.type = ParamSpec::Type::Int;
    else if (type == "float") p.type = ParamSpec::Type::Float;
    else if (type != "string") r.fail(fmt::format("{} has type '{}'", what, type), "use int, float or string");
    if (!j.contains("default")) r.fail(what + " has no default", "give `default:` a value or a list (the default axis)");
    p.defaults = r.list(j["default"], what + " default");
    if (j.contains("choices")) p.choices = r.list(j["choices"], what + " choices");
    p.min = bound(r, p, j, "min", what);
    p.max = bound(r, p, j, "max", what);
    if (p.min && p.max && *p.min > *p.max)
      r.fail(fmt::format("{} has min {} above max {}", what, *p.min, *p.max), "swap them, or drop one");
    if (j.contains("help")) p.help = r.text(j["help"], what + " help");
  }
  if (p.defaults.empty()) r.fail(what + " has an empty default list", "give at least one value");
  // Canonical values (an int's "08" is "8"), checked against the type and the choices.
  Workload probe;  // names the workload in validate_param's messages
  probe.name = kWorkloadPrefix + r.command();
  ParamSpec any_value = p;
  any_value.choices.clear();
  for (auto& c : p.choices) c = validate_param(probe, any_value, c);
  for (auto& d : p.defaults) d = validate_param(probe, p, d);
  return p;
}

Extraction::Source source_from(const Reader& r, const std::string& s, const std::string& what) {
  if (s == "stdout") return Extraction::Source::Stdout;
  if (s == "stderr") return Extraction::Source::Stderr;
  if (s == "output") return Extraction::Source::Output;
  if (s == "file") return Extraction::Source::File;
  r.fail(fmt::format("{} has `from: {}`", what, s), "use stdout, stderr, output (both) or file");
}

std::string to_string(Extraction::Source s) {
  switch (s) {
    case Extraction::Source::Stdout: return "stdout";
    case Extraction::Source::Stderr: return "stderr";
    case Extraction::Source::Output: return "output";
    case Extraction::Source::File: return "file";
  }
  return "stdout";
}

MetricDefinition parse_metric(const Reader& r, const json& j) {
  r.check_keys(j, {"name", "unit", "better", "help", "from", "file", "regex", "json_pointer", "csv", "match", "scale"},
               "a metric");
  MetricDefinition m;
  if (!j.contains("name")) r.fail("a metric has no name", "give each metric `name:`, `unit:`, `better:` and how to read it");
  m.spec.name = r.text(j["name"], "metric name");
  const std::string what = fmt::format("metric '{}'", m.spec.name);
  if (!is_identifier(m.spec.name) || m.spec.name == kWallMetric)
    r.fail(fmt::format("'{}' cannot be a metric name", m.spec.name),
           fmt::format("use letters, digits and '_'; '{}' is recorded for every command already", kWallMetric));
  m.spec.unit = j.contains("unit") ? r.text(j["unit"], what + " unit") : "";
  if (j.contains("better")) {
    try {
      m.spec.better = better_from_string(r.text(j["better"], what + " better"));
    } catch (const Error& e) {
      r.fail(fmt::format("{}: {}", what, e.what()), e.fix());
    }
  } else {
    r.fail(what + " does not say which direction is better", "add `better: higher` or `better: lower`");
  }
  if (j.contains("help")) m.spec.help = r.text(j["help"], what + " help");

  Extraction& x = m.extraction;
  if (j.contains("from")) x.from = source_from(r, r.text(j["from"], what + " from"), what);
  if (j.contains("file")) {
    if (x.from != Extraction::Source::File) r.fail(what + " has `file:` but does not read a file", "add `from: file`");
    x.file = r.text(j["file"], what + " file");
  } else if (x.from == Extraction::Source::File) {
    x.file = "{output_file}";
  }
  const int methods = j.contains("regex") + j.contains("json_pointer") + j.contains("csv");
  if (methods != 1)
    r.fail(fmt::format("{} needs exactly one of regex, json_pointer, csv (has {})", what, methods),
           "e.g. `regex: 'TFLOPS: ([0-9.]+)'`, `json_pointer: /tflops` or `csv: {column: avg_ts}`");
  if (j.contains("regex")) {
    x.method = Extraction::Method::Regex;
    x.pattern = r.text(j["regex"], what + " regex");
    try {
      if (std::regex(x.pattern).mark_count() < 1)
        r.fail(fmt::format("{}: regex '{}' has no capture group", what, x.pattern),
               "put the number in parentheses, e.g. 'TFLOPS: ([0-9.eE+-]+)'");
    } catch (const std::regex_error& e) {
      r.fail(fmt::format("{}: regex '{}' is not valid: {}", what, x.pattern, e.what()),
             "write an ECMAScript regular expression");
    }
  } else if (j.contains("json_pointer")) {
    x.method = Extraction::Method::JsonPointer;
    x.pattern = r.text(j["json_pointer"], what + " json_pointer");
    try {
      (void)json::json_pointer(x.pattern);
    } catch (const json::exception&) {
      r.fail(fmt::format("{}: '{}' is not a JSON pointer", what, x.pattern), "write e.g. /results/0/tflops (RFC 6901)");
    }
  } else {
    x.method = Extraction::Method::Csv;
    const json& c = j["csv"];
    if (c.is_string()) {
      x.pattern = c.get<std::string>();
    } else {
      r.check_keys(c, {"column", "row", "separator"}, what + " csv");
      if (!c.contains("column")) r.fail(what + " csv has no column", "give `csv: {column: <header name>}`");
      x.pattern = r.text(c["column"], what + " csv column");
      if (c.contains("row")) {
        const std::string row = r.text(c["row"], what + " csv row");
        if (row != "first" && row != "last") r.fail(fmt::format("{} csv row '{}'", what, row), "use row: first or row: last");
        x.last = row == "last";
      }
      if (c.contains("separator")) {
        const std::string sep = r.text(c["separator"], what + " csv separator");
        if (sep.size() != 1) r.fail(what + " csv separator must be one character", "e.g. separator: ';'");
        x.separator = sep[0];
      }
    }
  }
  if (j.contains("match")) {
    const std::string match = r.text(j["match"], what + " match");
    if (x.method != Extraction::Method::Regex) r.fail(what + " has `match:` without a regex", "remove it");
    if (match != "first" && match != "last") r.fail(fmt::format("{} match '{}'", what, match), "use first or last");
    x.last = match == "last";
  }
  if (j.contains("scale")) {
    x.scale = r.number(j["scale"], what + " scale");
    if (x.scale == 0) r.fail(what + " has scale 0", "give the factor the value is multiplied by, e.g. 1000 for s -> ms");
  }
  return m;
}

void check_template(const Reader& r, const std::string& text, const std::string& what, const std::set<std::string>& known) {
  std::vector<std::string> names;
  try {
    names = placeholders(text, what);
  } catch (const Error& e) {
    r.fail(e.what(), e.fix());
  }
  for (const auto& n : names)
    if (!known.count(n))
      r.fail(fmt::format("{} uses '{{{}}}', which is not a parameter", what, n),
             fmt::format("known names: {} (write '{{{{' for a literal brace)", fmt::join(known, ", ")));
}

bool uses(const std::string& text, const std::string& name) {
  return text.find("{" + name + "}") != std::string::npos;
}

}  // namespace

std::vector<std::string> placeholders(const std::string& text, const std::string& what) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '{' && i + 1 < text.size() && text[i + 1] == '{') {
      ++i;
    } else if (text[i] == '}' && i + 1 < text.size() && text[i + 1] == '}') {
      ++i;
    } else if (text[i] == '{') {
      const auto close = text.find('}', i);
      if (close == std::string::npos)
        throw Error(fmt::format("{}: '{{' without '}}' in '{}'", what, text), "close it, or write '{{' for a literal brace");
      out.push_back(text.substr(i + 1, close - i - 1));
      i = close;
    } else if (text[i] == '}') {
      throw Error(fmt::format("{}: '}}' without '{{' in '{}'", what, text), "write '}}' for a literal brace");
    }
  }
  return out;
}

std::string substitute(const std::string& text, const std::map<std::string, std::string>& values, const std::string& what) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if ((text[i] == '{' || text[i] == '}') && i + 1 < text.size() && text[i + 1] == text[i]) {
      out += text[i++];
    } else if (text[i] == '{') {
      const auto close = text.find('}', i);
      if (close == std::string::npos)
        throw Error(fmt::format("{}: '{{' without '}}' in '{}'", what, text), "close it, or write '{{' for a literal brace");
      const std::string name = text.substr(i + 1, close - i - 1);
      const auto it = values.find(name);
      if (it == values.end())
        throw Error(fmt::format("{}: no value for '{{{}}}'", what, name), "name a parameter of the command");
      out += it->second;
      i = close;
    } else if (text[i] == '}') {
      throw Error(fmt::format("{}: '}}' without '{{' in '{}'", what, text), "write '}}' for a literal brace");
    } else {
      out += text[i];
    }
  }
  return out;
}

// `settings: {name: regex}` or `{name: {regex: ..., from: output, match: last}}`.
SettingDefinition parse_setting(const Reader& r, const std::string& name, const json& j) {
  const std::string what = fmt::format("setting '{}'", name);
  if (!is_identifier(name)) r.fail(fmt::format("'{}' cannot be a setting name", name), "use letters, digits and '_'");
  SettingDefinition s;
  s.name = name;
  if (j.is_string()) {
    s.regex = j.get<std::string>();
  } else {
    r.check_keys(j, {"regex", "from", "match"}, what);
    if (!j.contains("regex")) r.fail(what + " has no regex", "give `regex:` with one capture group around the value");
    s.regex = r.text(j["regex"], what + " regex");
    if (j.contains("from")) s.from = source_from(r, r.text(j["from"], what + " from"), what);
    if (s.from == Extraction::Source::File) r.fail(what + " reads a file", "settings are read from stdout, stderr or output");
    if (j.contains("match")) {
      const std::string match = r.text(j["match"], what + " match");
      if (match != "first" && match != "last") r.fail(fmt::format("{} match '{}'", what, match), "use first or last");
      s.last = match == "last";
    }
  }
  try {
    if (std::regex(s.regex).mark_count() < 1)
      r.fail(fmt::format("{}: regex '{}' has no capture group", what, s.regex), "put the value in parentheses");
  } catch (const std::regex_error& e) {
    r.fail(fmt::format("{}: regex '{}' is not valid: {}", what, s.regex, e.what()), "write an ECMAScript regular expression");
  }
  return s;
}

Definition parse(const json& input) {
  if (!input.is_object() || !input.contains("name"))
    throw Error("a command definition without a name", "define commands under `commands: {<name>: {...}}`");
  Definition d;
  d.name = input["name"].is_string() ? input["name"].get<std::string>() : input["name"].dump();
  Reader r(d.name);
  if (!is_name(d.name)) r.fail("the name may use letters, digits, '_', '-' and '.' only", "rename it");

  // The preset's fields first, the definition's own on top.
  json j = json::object();
  if (input.contains("preset")) {
    d.preset = r.text(input["preset"], "preset");
    const json* preset = find_preset(d.preset);
    if (!preset)
      r.fail(fmt::format("unknown preset '{}'", d.preset), fmt::format("presets: {}", fmt::join(preset_names(), ", ")));
    j = *preset;
  }
  for (const auto& [key, value] : input.items()) {
    if (key == "settings" && j.contains("settings") && value.is_object()) {
      for (const auto& [name, setting] : value.items()) j["settings"][name] = setting;  // added to the preset's
    } else {
      j[key] = value;
    }
  }
  r.check_keys(j,
               {"kind", "name", "preset", "help", "device", "layer", "argv", "env", "config_dir", "cwd", "cwd_explicit",
                "timeout_s", "params", "metrics", "settings"},
               "the command");

  if (j.contains("help")) d.help = r.text(j["help"], "help");
  if (j.contains("device")) {
    const std::string device = r.text(j["device"], "device");
    if (device != "cpu" && device != "gpu")
      r.fail(fmt::format("device '{}'", device), "use `device: gpu` (needs a GPU; GPU telemetry sampled) or `device: cpu`");
    d.device = device == "gpu" ? Device::Gpu : Device::Cpu;
  }
  d.layer = j.contains("layer") ? r.text(j["layer"], "layer") : "command";

  if (!j.contains("argv") || !j["argv"].is_array() || j["argv"].empty())
    r.fail("no `argv:` list", "give the program and its arguments as a list, e.g. `argv: [python3, bench.py, --n, \"{n}\"]`; "
                              "for a shell line write `argv: [sh, -c, \"...\"]`");
  d.argv = r.list(j["argv"], "argv");
  if (d.argv.front().empty()) r.fail("argv[0] is empty", "name the program to run");
  if (j.contains("env")) {
    if (!j["env"].is_object()) r.fail("`env:` must be a mapping", "write e.g. `env: {OMP_NUM_THREADS: \"8\"}`");
    for (const auto& [k, v] : j["env"].items()) {
      if (k.empty() || k.find('=') != std::string::npos) r.fail(fmt::format("'{}' is not a variable name", k), "rename it");
      d.env[k] = r.text(v, "env " + k);
    }
  }
  d.config_dir = j.contains("config_dir") ? r.text(j["config_dir"], "config_dir") : "";
  d.cwd_explicit = j.contains("cwd") && !(j.contains("cwd_explicit") && j["cwd_explicit"] == false);
  d.cwd = j.contains("cwd") ? r.text(j["cwd"], "cwd") : "{config_dir}";
  if (d.cwd_explicit && !d.cwd.empty() && d.cwd.front() != '/' && d.cwd.front() != '{')
    d.cwd = "{config_dir}/" + d.cwd;  // relative to the config file, not to wherever sparkbench runs
  if (j.contains("timeout_s")) {
    d.timeout_s = r.number(j["timeout_s"], "timeout_s");
    if (d.timeout_s <= 0) r.fail("timeout_s must be positive", "give the seconds one run may take, e.g. 600");
  }

  if (j.contains("params")) {
    if (!j["params"].is_object()) r.fail("`params:` must be a mapping", "write e.g. `params: {n: {type: int, default: [1024]}}`");
    for (const auto& [name, spec] : j["params"].items()) d.params.push_back(parse_param(r, name, spec));
  }
  if (j.contains("metrics")) {
    if (!j["metrics"].is_array()) r.fail("`metrics:` must be a list", "write `metrics: [{name: ..., ...}]`");
    std::set<std::string> seen;
    for (const auto& m : j["metrics"]) {
      d.metrics.push_back(parse_metric(r, m));
      if (!seen.insert(d.metrics.back().spec.name).second)
        r.fail(fmt::format("metric '{}' is declared twice", d.metrics.back().spec.name), "give each metric its own name");
    }
  }

  if (j.contains("settings")) {
    if (!j["settings"].is_object())
      r.fail("`settings:` must be a mapping", "write e.g. `settings: {attention_backend: 'Using (\\S+) backend'}`");
    for (const auto& [name, spec] : j["settings"].items()) d.settings.push_back(parse_setting(r, name, spec));
  }

  std::set<std::string> known = kBuiltins;
  for (const auto& p : d.params) known.insert(p.name);
  for (std::size_t i = 0; i < d.argv.size(); ++i) check_template(r, d.argv[i], fmt::format("argv[{}]", i), known);
  for (const auto& [k, v] : d.env) check_template(r, v, "env " + k, known);
  check_template(r, d.cwd, "cwd", known);
  bool output_file_passed = std::any_of(d.argv.begin(), d.argv.end(), [](const auto& a) { return uses(a, "output_file"); });
  for (const auto& [k, v] : d.env) output_file_passed |= uses(v, "output_file");
  for (const auto& m : d.metrics) {
    if (m.extraction.from != Extraction::Source::File) continue;
    check_template(r, m.extraction.file, fmt::format("metric '{}' file", m.spec.name), known);
    if (uses(m.extraction.file, "output_file") && !output_file_passed)
      r.fail(fmt::format("metric '{}' reads {{output_file}}, but neither argv nor env passes it to the program", m.spec.name),
             "add the tool's output option to argv, e.g. `--output-json, \"{output_file}\"`");
  }
  return d;
}

json to_json(const Definition& d) {
  json params = json::object();
  for (const auto& p : d.params) {
    json spec = {{"type", to_string(p.type)}, {"default", p.defaults}};
    if (!p.choices.empty()) spec["choices"] = p.choices;
    if (p.min) spec["min"] = *p.min;
    if (p.max) spec["max"] = *p.max;
    if (!p.help.empty()) spec["help"] = p.help;
    params[p.name] = spec;
  }
  json metrics = json::array();
  for (const auto& m : d.metrics) {
    const Extraction& x = m.extraction;
    json j = {{"name", m.spec.name}, {"unit", m.spec.unit}, {"better", to_string(m.spec.better)}, {"from", to_string(x.from)}};
    if (!m.spec.help.empty()) j["help"] = m.spec.help;
    if (x.from == Extraction::Source::File) j["file"] = x.file;
    switch (x.method) {
      case Extraction::Method::Regex:
        j["regex"] = x.pattern;
        j["match"] = x.last ? "last" : "first";
        break;
      case Extraction::Method::JsonPointer: j["json_pointer"] = x.pattern; break;
      case Extraction::Method::Csv:
        j["csv"] = {{"column", x.pattern}, {"row", x.last ? "last" : "first"}, {"separator", std::string(1, x.separator)}};
        break;
    }
    if (x.scale != 1) j["scale"] = x.scale;
    metrics.push_back(j);
  }
  json out = {{"kind", "command"},   {"name", d.name},         {"help", d.help},
              {"device", to_string(d.device)}, {"layer", d.layer}, {"argv", d.argv},
              {"env", d.env},        {"config_dir", d.config_dir}, {"cwd", d.cwd},
              {"cwd_explicit", d.cwd_explicit}, {"timeout_s", d.timeout_s}, {"params", params},
              {"metrics", metrics}};
  if (!d.settings.empty()) {
    json settings = json::object();
    for (const auto& st : d.settings)
      settings[st.name] = {{"regex", st.regex}, {"from", to_string(st.from)}, {"match", st.last ? "last" : "first"}};
    out["settings"] = settings;
  }
  if (!d.preset.empty()) out["preset"] = d.preset;
  return out;
}

}  // namespace sb::command
