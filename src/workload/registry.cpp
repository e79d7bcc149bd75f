#include <algorithm>
#include <charconv>
#include <cmath>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/error.hpp"
#include "workload/workload.hpp"

namespace sb {

std::string to_string(Better b) { return b == Better::Higher ? "higher" : "lower"; }

Better better_from_string(std::string_view s) {
  if (s == "higher") return Better::Higher;
  if (s == "lower") return Better::Lower;
  throw Error(fmt::format("'{}' is not a metric direction", s), "use 'higher' or 'lower'");
}

std::string to_string(Device d) { return d == Device::Gpu ? "gpu" : "cpu"; }

std::string to_string(ParamSpec::Type t) {
  switch (t) {
    case ParamSpec::Type::Int: return "int";
    case ParamSpec::Type::Float: return "float";
    case ParamSpec::Type::String: return "string";
  }
  return "string";
}

namespace {

// A bound as the parameter's type writes it: an Int's 1, not 1.0 (where a long long holds it).
std::string bound_text(const ParamSpec& p, double bound) {
  if (p.type == ParamSpec::Type::Int && std::abs(bound) < 0x1p63) return std::to_string(static_cast<long long>(bound));
  return fmt::format("{}", bound);
}

// The value as a number, for the bounds; only called once the type check passed.
double numeric_value(const ParamSpec& p, const std::string& canonical) {
  if (p.type == ParamSpec::Type::Int) return static_cast<double>(std::stoll(canonical));
  return std::stod(canonical);
}

}  // namespace

std::string range_text(const ParamSpec& p) {
  std::vector<std::string> parts;
  if (p.min && p.max) parts.push_back(fmt::format("{} to {}", bound_text(p, *p.min), bound_text(p, *p.max)));
  else if (p.min) parts.push_back("at least " + bound_text(p, *p.min));
  else if (p.max) parts.push_back("at most " + bound_text(p, *p.max));
  if (p.rule.accepts) parts.push_back(p.rule.says);
  return fmt::format("{}", fmt::join(parts, ", "));
}

const std::string& Params::str(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end())
    throw Error(fmt::format("parameter '{}' has no value in case '{}'", name, id()),
                "this is a bug in the workload's registration: every parameter needs a default");
  return it->second;
}

long long Params::integer(const std::string& name) const {
  const std::string& s = str(name);
  long long v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size())
    throw Error(fmt::format("parameter '{}' = '{}' is not an integer", name, s), "give a whole number");
  return v;
}

double Params::real(const std::string& name) const {
  const std::string& s = str(name);
  try {
    std::size_t used = 0;
    double v = std::stod(s, &used);
    if (used == s.size() && std::isfinite(v)) return v;
  } catch (const std::exception&) {
  }
  throw Error(fmt::format("parameter '{}' = '{}' is not a number", name, s), "give a finite number");
}

std::string Params::id() const {
  std::string out;
  for (const auto& [k, v] : values_) {
    if (!out.empty()) out += ',';
    out += k + '=' + v;
  }
  return out;
}

Registry& Registry::instance() {
  static Registry r;
  return r;
}

void Registry::add(Workload w) {
  if (find(w.name)) throw std::logic_error("workload registered twice: " + w.name);
  if (w.metrics.empty() || !w.make) throw std::logic_error("workload without metrics or factory: " + w.name);
  if (w.metrics.front().optional) throw std::logic_error("workload with an optional primary metric: " + w.name);
  for (const auto& p : w.params)
    if ((p.min || p.max) && p.type == ParamSpec::Type::String)
      throw std::logic_error("workload with bounds on a string parameter: " + w.name + " " + p.name);
  workloads_.push_back(std::move(w));
  std::sort(workloads_.begin(), workloads_.end(),
            [](const Workload& a, const Workload& b) { return a.name < b.name; });
}

const Workload* Registry::find(std::string_view name) const {
  for (const auto& w : workloads_)
    if (w.name == name) return &w;
  for (const auto& w : defined_)
    if (w.name == name) return &w;
  return nullptr;
}

std::vector<std::string> Registry::names() const {
  std::vector<std::string> out;
  for (const auto& w : workloads_) out.push_back(w.name);
  for (const auto& w : defined_) out.push_back(w.name);
  return out;
}

void Registry::add_factory(const std::string& kind, WorkloadFactory factory) {
  if (!factories_.emplace(kind, std::move(factory)).second)
    throw std::logic_error("workload factory registered twice: " + kind);
}

const Workload& Registry::define(const nlohmann::json& definition) {
  const std::string kind = definition.is_object() ? definition.value("kind", "") : "";
  const auto factory = factories_.find(kind);
  if (factory == factories_.end())
    throw Error(fmt::format("unknown kind of workload definition '{}'", kind),
                "a plan file or record from another sparkbench version? Re-run with this version's config");
  Workload w = factory->second(definition);
  if (w.metrics.empty() || !w.make || w.definition.is_null())
    throw std::logic_error("workload factory returned an incomplete workload: " + w.name);
  if (const Workload* existing = find(w.name)) {
    if (existing->definition == w.definition) return *existing;
    throw Error(fmt::format("workload '{}' is defined twice, differently", w.name),
                existing->definition.is_null() ? "a built-in workload has that name: choose another name"
                                               : "give each definition its own name");
  }
  defined_.push_back(std::move(w));
  return defined_.back();
}

const Workload& Registry::get(std::string_view name) const {
  if (const Workload* w = find(name)) return *w;
  if (name.starts_with("command:")) {
    throw Error(fmt::format("unknown workload '{}': no loaded config defines the command '{}'", name, name.substr(8)),
                "pass the config that defines it under `commands:`, e.g. --config benchmarks/commands/torch_matmul.yaml "
                "(docs/commands.md)");
  }
  throw Error(fmt::format("unknown workload '{}'", name),
              fmt::format("valid workloads: {} (see `sparkbench list`)", fmt::join(names(), ", ")));
}

const ParamSpec& find_param(const Workload& w, const std::string& name) {
  for (const auto& p : w.params)
    if (p.name == name) return p;
  std::vector<std::string> valid;
  for (const auto& p : w.params) valid.push_back(p.name);
  throw Error(fmt::format("workload '{}' has no parameter '{}'", w.name, name),
              fmt::format("valid parameters of '{}': {} (see `sparkbench list {}`)", w.name,
                          valid.empty() ? std::string("none") : fmt::format("{}", fmt::join(valid, ", ")),
                          w.name));
}

std::string validate_param(const Workload& w, const ParamSpec& p, const std::string& value) {
  std::string canonical = value;
  if (p.type == ParamSpec::Type::Int) {
    long long v = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
    if (ec != std::errc() || end != value.data() + value.size())
      throw Error(fmt::format("workload '{}': parameter '{}' must be an integer, got '{}'", w.name, p.name, value),
                  fmt::format("{}: {}", p.name, p.help));
    canonical = std::to_string(v);
  } else if (p.type == ParamSpec::Type::Float) {
    std::size_t used = 0;
    double v = 0;
    try {
      v = std::stod(value, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != value.size() || value.empty() || !std::isfinite(v))
      throw Error(fmt::format("workload '{}': parameter '{}' must be a number, got '{}'", w.name, p.name, value),
                  fmt::format("{}: {}", p.name, p.help));
  }
  if (!p.choices.empty() && std::find(p.choices.begin(), p.choices.end(), canonical) == p.choices.end())
    throw Error(fmt::format("workload '{}': '{}' is not a valid value of parameter '{}'", w.name, value, p.name),
                fmt::format("valid values: {}", fmt::join(p.choices, ", ")));
  if (p.min || p.max) {
    const double v = numeric_value(p, canonical);
    const bool low = p.min && v < *p.min;
    if (low || (p.max && v > *p.max))
      throw Error(fmt::format("workload '{}': parameter '{}' must be {} {}, got {}", w.name, p.name,
                              low ? "at least" : "at most", bound_text(p, low ? *p.min : *p.max), canonical),
                  fmt::format("valid values of {}: {} ({})", p.name, range_text(p), p.help));
  }
  if (p.rule.accepts && !p.rule.accepts(canonical))
    throw Error(fmt::format("workload '{}': '{}' is not a valid value of parameter '{}'", w.name, value, p.name),
                fmt::format("valid values of {}: {} ({})", p.name, p.rule.says, p.help));
  return canonical;
}

}  // namespace sb
