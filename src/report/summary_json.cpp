// The machine-readable comparison: everything the Markdown shows, at full precision.
#include <cmath>

#include "core/version.hpp"
#include "report/format.hpp"
#include "report/layers.hpp"
#include "report/report.hpp"

namespace sb::report {
namespace {

using nlohmann::json;

json interval_json(const stats::Interval& i) { return {{"low", i.low}, {"high", i.high}}; }

json summary_json(const stats::Summary& s) {
  return {{"n", s.n},         {"mean", s.mean}, {"median", s.median},   {"stdev", s.stdev},
          {"min", s.min},     {"max", s.max},   {"q1", s.q1},           {"q3", s.q3},
          {"mean_ci", interval_json(s.mean_ci)}, {"ci_half_width_rel", s.ci_half_width_rel}};
}

json metric_json(const compare::MetricComparison& m, bool holm) {
  return {{"metric", m.spec.name},
          {"unit", m.spec.unit},
          {"better", to_string(m.spec.better)},
          {"baseline", summary_json(m.baseline)},
          {"candidate", summary_json(m.candidate)},
          {"overhead_pct", m.overhead_pct},
          {"overhead_ci_pct", interval_json(m.overhead_ci_pct)},
          {"welch", {{"t", m.welch.t}, {"df", m.welch.df}, {"p_value", m.welch.p_value}}},
          {"welch_p_holm", holm ? json(m.p_adjusted) : json(nullptr)},
          {"mann_whitney",
           {{"u", m.mann_whitney.u}, {"z", m.mann_whitney.z}, {"p_value", m.mann_whitney.p_value},
            {"exact", m.mann_whitney.exact}}},
          {"hedges_g", m.hedges_g},
          {"rounds", {{"baseline", m.rounds_baseline}, {"candidate", m.rounds_candidate},
                      {"differ_p", m.rounds_differ_p}, {"test_unit", m.round_level ? "round" : "repetition"}}},
          {"significant", m.significant},
          {"verdict", detail::verdict_label(m.verdict)},
          {"not_comparable", m.not_comparable.empty() ? json(nullptr) : json(m.not_comparable)}};
}

json case_json(const compare::CaseComparison& k) {
  json j = {{"id", k.id},
            {"workload", k.workload},
            {"layer", k.layer},
            {"device", to_string(k.device)},
            {"params", k.params.values()},
            {"comparable", k.not_comparable.empty()},
            {"not_comparable", k.not_comparable.empty() ? json(nullptr) : json(k.not_comparable)},
            {"telemetry", {{"baseline", k.telemetry_baseline}, {"candidate", k.telemetry_candidate}}}};
  if (!k.primary.spec.name.empty()) {  // also for a case too thin to compare: its descriptive statistics
    j["primary"] = metric_json(k.primary, true);
    j["secondary"] = json::array();
    for (const auto& m : k.secondary) j["secondary"].push_back(metric_json(m, false));
  }
  return j;
}

json side_json(const std::string& label, const std::vector<record::RunRecord>& records) {
  json list = json::array();
  for (const auto& r : records) {
    list.push_back({{"label", r.label},
                    {"host", r.host},
                    {"file", r.source.generic_string()},
                    {"started_utc", r.started_utc},
                    {"finished_utc", r.finished_utc},
                    {"complete", r.complete},
                    {"interrupted", r.interrupted},
                    {"sparkbench_version", r.sparkbench_version},
                    {"gpu", detail::gpu_name(r.environment)}});
  }
  return {{"label", label}, {"records", list}};
}

json number_or_null(double x) { return std::isfinite(x) ? json(x) : json(nullptr); }

// Keyed by layer name; medians are null where no case falls in their group.
json layers_json(const compare::Comparison& c) {
  json out = json::object();
  for (const auto& l : detail::layer_outcomes(c)) {
    json ids = json::array();
    for (const auto* k : l.cases) ids.push_back(k->id);
    out[l.layer] = {{"cases", ids},
                    {"compared", l.compared},
                    {"slower", l.slower},
                    {"faster", l.faster},
                    {"unchanged", l.compared - l.slower - l.faster},
                    {"not_compared", l.cases.size() - l.compared},
                    {"median_overhead_pct", number_or_null(l.median_overhead_pct)},
                    {"median_slower_pct", number_or_null(l.median_slower_pct)},
                    {"median_faster_pct", number_or_null(l.median_faster_pct)},
                    {"summary", l.summary}};
  }
  return out;
}

}  // namespace

std::string json_summary(const compare::Comparison& c) {
  json j = {{"schema", "sparkbench.comparison"},
            {"version", 1},
            {"generated_by", std::string("sparkbench ") + sb::kVersion},
            {"baseline", side_json(c.baseline_label, c.baseline_records)},
            {"candidate", side_json(c.candidate_label, c.candidate_records)},
            {"method",
             {{"alpha", c.options.alpha},
              {"correction", "holm"},
              {"min_effect_pct", c.options.min_effect_pct},
              {"bootstrap_resamples", c.options.bootstrap_resamples},
              {"bootstrap_seed", c.options.seed}}},
            {"overall_verdict", detail::verdict_label(c.overall)},
            {"summary", c.summary},
            {"layers", layers_json(c)},
            {"cases", json::array()},
            {"only_in_baseline", c.only_in_baseline},
            {"only_in_candidate", c.only_in_candidate},
            {"env_differences", json::array()},
            {"findings", json::array()}};
  for (const auto& k : c.cases) j["cases"].push_back(case_json(k));
  for (const auto& d : c.env_differences) {
    j["env_differences"].push_back(
        {{"path", d.path}, {"baseline", d.baseline}, {"candidate", d.candidate}, {"importance", d.importance}});
  }
  for (const auto& f : c.findings) {
    j["findings"].push_back({{"rank", f.rank}, {"title", f.title}, {"evidence", f.evidence}, {"action", f.action}});
  }
  return j.dump(2) + "\n";
}

}  // namespace sb::report
