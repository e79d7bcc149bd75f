// CSV for spreadsheets and scripts: one row per compared case x metric, and the raw repetitions
// of one record.
#include <cmath>

#include <fmt/format.h>

#include "report/format.hpp"
#include "report/report.hpp"

namespace sb::report {
namespace {

using detail::csv_field;

// Shortest text that reads back as the same double; empty for NaN/inf, which CSV cannot carry.
std::string csv_number(double x) { return std::isfinite(x) ? fmt::format("{}", x) : ""; }

std::string side_columns(const compare::SideBasis& s) {
  if (s.units.empty()) return "0,,,";
  return fmt::format("{},{},{},{}", s.units.size(), csv_number(s.center), csv_number(s.center_ci.low),
                     csv_number(s.center_ci.high));
}

std::string metric_row(const compare::CaseComparison& k, const compare::MetricComparison& m) {
  std::string row = fmt::format("{},{},{},{},{},{},{},{},{},", csv_field(k.id), csv_field(k.candidate_id),
                                csv_field(k.workload), csv_field(m.spec.name), csv_field(m.spec.unit),
                                to_string(m.spec.better), compare::to_string(m.unit), side_columns(m.baseline),
                                side_columns(m.candidate));
  if (m.verdict == compare::Verdict::NotComparable)
    return row + ",,,,,,,,,,," + csv_field("not comparable") + ",,," + csv_field(detail::short_of_target_text(k)) + "," +
           csv_field(m.not_comparable) + "\n";
  return row + fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n", csv_number(m.overhead_pct),
                           csv_number(m.overhead_ci_pct.low), csv_number(m.overhead_ci_pct.high),
                           csv_number(m.overhead_ci90_pct.low), csv_number(m.overhead_ci90_pct.high),
                           csv_number(m.welch.t), csv_number(m.welch.df), csv_number(m.welch.p_value),
                           csv_number(m.p_adjusted), csv_number(m.mann_whitney.p_value),
                           csv_number(m.hedges_g), csv_field(compare::outcome_name(m.verdict)),
                           csv_field(compare::band_name(m.verdict)),
                           m.rounds_to_resolve ? std::to_string(*m.rounds_to_resolve) : "",
                           csv_field(detail::short_of_target_text(k)) + "," + csv_field(m.inconclusive_reason));
}

}  // namespace

std::string csv_summary(const compare::Comparison& c) {
  std::string out =
      "case,candidate_case,workload,metric,unit,better,test_unit,"
      "baseline_n,baseline_center,baseline_ci_low,baseline_ci_high,"
      "candidate_n,candidate_center,candidate_ci_low,candidate_ci_high,"
      "overhead_pct,overhead_ci_low,overhead_ci_high,overhead_ci90_low,overhead_ci90_high,"
      "welch_t,welch_df,welch_p,welch_p_holm,mann_whitney_p,hedges_g,outcome,band,rounds_to_resolve,"
      "stopped_short,note\n";
  for (const auto& k : c.cases) {
    if (!k.not_comparable.empty()) continue;  // no statistics to give; summary.json says why
    out += metric_row(k, k.primary);
    for (const auto& m : k.secondary) out += metric_row(k, m);
  }
  return out;
}

std::string export_csv(const record::RunRecord& r) {
  std::string out = "case,metric,unit,repetition,value\n";
  for (const auto& k : r.cases) {
    for (const auto& m : k.metrics) {
      for (std::size_t i = 0; i < m.samples.size(); ++i) {
        out += fmt::format("{},{},{},{},{}\n", csv_field(k.id), csv_field(m.spec.name), csv_field(m.spec.unit), i + 1,
                           csv_number(m.samples[i]));
      }
    }
  }
  return out;
}

}  // namespace sb::report
