// The machine-readable comparison: everything the Markdown shows, at full precision.
#include <cmath>
#include <optional>

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

json basis_json(const compare::SideBasis& b) {
  return {{"units", b.units}, {"center", b.center}, {"center_ci", interval_json(b.center_ci)}, {"spread_pct", b.spread_pct}};
}

json optional_number(const std::optional<int>& x) { return x ? json(*x) : json(nullptr); }

json metric_json(const compare::MetricComparison& m) {
  return {{"metric", m.spec.name},
          {"unit", m.spec.unit},
          {"better", to_string(m.spec.better)},
          {"test_unit", compare::to_string(m.unit)},
          {"rounds", {{"baseline", m.rounds_baseline}, {"candidate", m.rounds_candidate}}},
          {"baseline", basis_json(m.baseline)},
          {"candidate", basis_json(m.candidate)},
          {"repetitions", {{"baseline", summary_json(m.baseline_repetitions)}, {"candidate", summary_json(m.candidate_repetitions)}}},
          {"overhead_pct", m.overhead_pct},
          {"overhead_ci_pct", interval_json(m.overhead_ci_pct)},
          {"overhead_ci90_pct", interval_json(m.overhead_ci90_pct)},
          {"welch", {{"t", m.welch.t}, {"df", m.welch.df}, {"p_value", m.welch.p_value}}},
          {"welch_p_holm", m.p_adjusted},
          {"mann_whitney",
           {{"u", m.mann_whitney.u}, {"z", m.mann_whitney.z}, {"p_value", m.mann_whitney.p_value},
            {"exact", m.mann_whitney.exact}}},
          {"hedges_g", m.hedges_g},
          {"outcome", compare::outcome_name(m.verdict)},
          {"band", compare::band_name(m.verdict).empty() ? json(nullptr) : json(compare::band_name(m.verdict))},
          {"verdict", detail::verdict_label(m.verdict)},
          {"inconclusive_reason", m.inconclusive_reason.empty() ? json(nullptr) : json(m.inconclusive_reason)},
          {"rounds_to_resolve", optional_number(m.rounds_to_resolve)},
          {"not_comparable", m.not_comparable.empty() ? json(nullptr) : json(m.not_comparable)}};
}

json short_json(const std::optional<compare::ShortOfTarget>& s) {
  if (!s) return nullptr;
  return {{"rounds", s->rounds}, {"of", s->of}, {"reasons", s->reasons}, {"widest_ci_pct", s->widest_pct},
          {"target_ci_pct", s->target_pct}};
}

json telemetry_json(const std::optional<telemetry::Summary>& s) { return s ? to_json(*s) : json::object(); }

json case_json(const compare::CaseComparison& k) {
  json j = {{"id", k.id},
            {"candidate_id", k.candidate_id},
            {"workload", k.workload},
            {"layer", k.layer},
            {"device", to_string(k.device)},
            {"params", k.params.values()},
            {"comparable", k.not_comparable.empty()},
            {"not_comparable", k.not_comparable.empty() ? json(nullptr) : json(k.not_comparable)},
            {"stopped_short_of_ci_target", {{"baseline", short_json(k.baseline_short)}, {"candidate", short_json(k.candidate_short)}}},
            {"partial_rounds_left_out", k.partial_left_out},
            {"telemetry", {{"baseline", telemetry_json(k.telemetry_baseline)}, {"candidate", telemetry_json(k.telemetry_candidate)}}}};
  if (!k.primary.spec.name.empty()) {  // also for a case too thin to compare: its descriptive statistics
    j["primary"] = metric_json(k.primary);
    j["secondary"] = json::array();
    for (const auto& m : k.secondary) j["secondary"].push_back(metric_json(m));
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
                    {"equivalent", l.equivalent},
                    {"inconclusive", l.inconclusive},
                    {"not_compared", l.cases.size() - l.compared},
                    {"median_overhead_pct", number_or_null(l.median_overhead_pct)},
                    {"median_slower_pct", number_or_null(l.median_slower_pct)},
                    {"median_faster_pct", number_or_null(l.median_faster_pct)},
                    {"summary", l.summary}};
  }
  return out;
}

}  // namespace

std::string json_summary(const compare::Comparison& c, const std::vector<diagnose::Finding>& findings) {
  json j = {{"schema", "sparkbench.comparison"},
            {"version", 2},  // 2: three-way outcomes, one test basis (2026-12)
            {"generated_by", std::string("sparkbench ") + sb::kVersion},
            {"baseline", side_json(c.baseline_label, c.baseline_records)},
            {"candidate", side_json(c.candidate_label, c.candidate_records)},
            {"method",
             {{"alpha", c.options.alpha},
              {"correction", "holm"},
              {"test", "welch on the logs of the units (round medians, or repetitions where a side ran in one process)"},
              {"min_effect_pct", c.options.min_effect_pct},
              {"equivalence", "90% CI of the overhead inside +-min_effect_pct"},
              {"ignore_params", c.options.ignore_params},
              {"include_partial", c.options.include_partial}}},
            {"stopping", c.stopping.empty() ? json(nullptr) : json(c.stopping)},
            {"overall_outcome", compare::outcome_name(c.overall)},
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
  for (const auto& f : findings) {
    j["findings"].push_back({{"rank", f.rank}, {"title", f.title}, {"evidence", f.evidence}, {"action", f.action}});
  }
  return j.dump(2) + "\n";
}

}  // namespace sb::report
