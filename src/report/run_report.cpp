#include "report/run_report.hpp"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/version.hpp"
#include "stats/stats.hpp"
#include "workload/display_id.hpp"

namespace sb::report {
namespace {

using nlohmann::json;

// A snapshot field by dotted path, or "n/a": snapshots from other machines may lack any field.
std::string field(const json& j, const std::string& dotted) {
  const json* node = &j;
  std::size_t start = 0;
  while (start <= dotted.size()) {
    const auto dot = dotted.find('.', start);
    const std::string key = dotted.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (node->is_array()) {
      const std::size_t i = std::stoul(key);
      if (i >= node->size()) return "n/a";
      node = &(*node)[i];
    } else if (node->is_object() && node->contains(key)) {
      node = &(*node)[key];
    } else {
      return "n/a";
    }
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  if (node->is_null()) return "n/a";
  return node->is_string() ? node->get<std::string>() : node->dump();
}

std::string telemetry_cell(const json& t, const char* key, const char* stat, const char* fmt_spec) {
  if (!t.contains("summary") || !t["summary"].contains(key) || !t["summary"][key].contains(stat)) return "n/a";
  return fmt::format(fmt::runtime(fmt_spec), t["summary"][key][stat].get<double>());
}

// A setting's value: integers as they are (a seed has 20 digits), others to 4 significant digits,
// so that a percentage stored as 100 * 0.0001 reads "0.01", not "9.999999999999999e-05".
std::string setting_number(const json& v) {
  if (v.is_number_integer()) return v.dump();
  if (v.is_number()) return fmt::format("{:.4g}", v.get<double>());
  return v.is_string() ? v.get<std::string>() : v.dump();
}

}  // namespace

std::string settings_text(const json& settings) {
  struct Known {
    const char* key;
    const char* name;
    const char* unit;  // with its leading space where it takes one
  };
  static constexpr Known kKnown[] = {{"ci_target_pct", "ci target", "%"}, {"min_reps", "min reps", ""},
                                     {"max_reps", "max reps", ""},        {"max_time_s", "max time", " s"},
                                     {"warmup", "warm-up", ""},           {"telemetry_interval_ms", "telemetry", " ms"},
                                     {"seed", "seed", ""},                {"canary", "canary", ""}};
  const auto known = [&](const std::string& key) {
    return std::any_of(std::begin(kKnown), std::end(kKnown), [&](const Known& k) { return key == k.key; });
  };
  std::vector<std::string> parts;
  for (const Known& k : kKnown) {
    if (!settings.contains(k.key)) continue;
    const json& v = settings[k.key];
    if (std::string_view(k.key) == "telemetry_interval_ms" && v.is_number() && v.get<double>() == 0)
      parts.push_back("telemetry off");
    else if (v.is_boolean())
      parts.push_back(fmt::format("{} {}", k.name, v.get<bool>() ? "on" : "off"));
    else
      parts.push_back(fmt::format("{} {}{}", k.name, setting_number(v), k.unit));
  }
  for (const auto& [key, v] : settings.items())  // a newer sparkbench's settings still show
    if (key != "source" && !known(key)) parts.push_back(fmt::format("{} {}", key, setting_number(v)));
  return parts.empty() ? "n/a" : fmt::format("{}", fmt::join(parts, ", "));
}

std::string source_text(const json& source) {
  if (!source.is_object()) return "n/a";
  if (source.contains("suite"))
    return fmt::format("suite `{}` of {}", setting_number(source["suite"]), setting_number(source.value("config", json("n/a"))));
  if (source.contains("workload")) {
    std::string text = fmt::format("workload `{}`", setting_number(source["workload"]));
    for (const auto& p : source.value("params", json::array())) text += fmt::format(" --param {}", setting_number(p));
    return text;
  }
  return source.empty() ? "n/a" : source.dump();
}

std::optional<double> cold_start_ratio(const record::CaseResult& c) {
  const record::MetricSamples* m = c.primary();
  if (c.warmup_samples.empty() || !m || m->samples.empty()) return std::nullopt;
  const double median = stats::median(m->samples);
  if (median == 0) return std::nullopt;
  return c.warmup_samples.front() / median;
}

std::string finished_text(const record::RunRecord& r) {
  const bool cut = std::any_of(r.cases.begin(), r.cases.end(), [](const auto& c) { return c.partial; });
  const std::string interrupted = cut ? "**interrupted**: the finished cases are below, and the one it cut, marked partial"
                                      : "**interrupted**: only the finished cases are below";
  if (!r.finished_utc.empty())
    return fmt::format("finished {}{}", r.finished_utc, r.interrupted ? " — " + interrupted : "");
  return r.interrupted ? fmt::format("not finished ({})", interrupted)
                       : "not finished (the process ended before the run completed)";
}

std::string run_markdown(const record::RunRecord& r) {
  std::string md = fmt::format("# sparkbench run: `{}` on {}\n\n", r.label, r.host);
  md += fmt::format("- started {}, {}\n", r.started_utc, finished_text(r));
  md += fmt::format("- GPU: {} (driver {}), CUDA runtime {}, cuBLAS {}\n", field(r.environment, "gpu.devices.0.name"),
                    field(r.environment, "gpu.driver_version"), field(r.environment, "cuda.runtime_version"),
                    field(r.environment, "cuda.cublas.version"));
  md += fmt::format("- CPU: {} ({} logical CPUs, affinity {}), container: {}\n", field(r.environment, "cpu.model"),
                    field(r.environment, "cpu.logical_count"), field(r.environment, "cpu.affinity_count"),
                    field(r.environment, "container.detected"));
  md += fmt::format("- settings: {}\n- cases: {}\n- record: `{}`\n\n", settings_text(r.settings),
                    source_text(r.settings.value("source", json())), r.source.string());

  md += "| case | primary metric | median | mean ± 95% CI | n | stop | status |\n|---|---|---:|---:|---:|---|---|\n";
  std::string problems, telemetry, cold_start;
  bool shortened = false;
  for (const auto& c : r.cases) {
    const std::string name = c.workload.empty() ? c.id : display_id(c.workload, c.params);
    shortened |= name != c.id;
    if (c.status != record::CaseStatus::Ok) {
      md += fmt::format("| `{}` | | | | | | {} |\n", name, to_string(c.status));
      problems += fmt::format("- `{}` — {}: {}\n", name, to_string(c.status), c.message);
      continue;
    }
    const auto& m = c.metrics.front();
    const auto s = stats::describe(m.samples);
    const std::string status = c.partial ? fmt::format("partial (interrupted after {} repetitions)", s.n) : to_string(c.status);
    md += fmt::format("| `{}` | {} ({}) | {:.4g} | {:.4g} ± {:.2g} | {} | {} | {} |\n", name, m.spec.name, m.spec.unit,
                      s.median, s.mean, (s.mean_ci.high - s.mean_ci.low) / 2, s.n, to_string(c.stop_reason), status);
    if (const auto ratio = cold_start_ratio(c))
      cold_start += fmt::format("| `{}` | {:.4g} | {:.4g} | {:.3g}× | {} |\n", name, c.warmup_samples.front(), s.median,
                                *ratio, c.warmup_samples.size());
    if (c.telemetry.value("available", false))
      telemetry += fmt::format("| `{}` | {} | {} | {} / {} | {} | {} |\n", name, telemetry_cell(c.telemetry, "gpu_util_pct", "mean", "{:.0f}%"),
                               telemetry_cell(c.telemetry, "sm_clock_mhz", "mean", "{:.0f} MHz"),
                               telemetry_cell(c.telemetry, "power_w", "mean", "{:.0f}"),
                               telemetry_cell(c.telemetry, "power_w", "max", "{:.0f} W"),
                               telemetry_cell(c.telemetry, "temperature_c", "max", "{:.0f} °C"),
                               c.telemetry.contains("summary") ? c.telemetry["summary"].value("throttle_reasons", json::object()).value("names", json::array()).dump() : "n/a");
  }
  if (shortened)
    md += "\nCase names leave out parameters at their workload's default (`sparkbench list WORKLOAD`); the record "
          "keeps the full ids.\n";
  if (!telemetry.empty())
    md += "\n### GPU telemetry during the measured repetitions\n\n| case | GPU util | SM clock | power mean / max | temp max | throttle reasons |\n|---|---:|---:|---:|---:|---|\n" +
          telemetry;
  if (!cold_start.empty())
    md += "\n### Cold start: the first warm-up repetition against the measured median\n\n"
          "Primary metric, in its unit; cold_start_ratio = first warm-up / median (above 1 for a time, below 1 for "
          "a rate, when the first repetition was slower).\n\n"
          "| case | first warm-up | median | cold_start_ratio | warm-up reps |\n|---|---:|---:|---:|---:|\n" +
          cold_start;
  if (!problems.empty()) md += "\n### Cases that did not run\n\n" + problems;
  md += fmt::format(
      "\nCompare with another environment: `sparkbench compare {} <other record or directory>`.\n\n"
      "<sub>generated by sparkbench {}</sub>\n",
      r.source.string(), kVersion);
  return md;
}

}  // namespace sb::report
