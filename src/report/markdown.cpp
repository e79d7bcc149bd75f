// Markdown report: reads top-down as an answer (verdict, numbers, why, what next), and pastes
// into a GitHub issue or a forum post as it is.
#include <algorithm>
#include <climits>

#include <fmt/format.h>

#include "core/version.hpp"
#include "diagnose/evidence_findings.hpp"
#include "report/format.hpp"
#include "report/layers.hpp"
#include "report/report.hpp"
#include "report/telemetry_view.hpp"

namespace sb::report {
namespace {

using namespace detail;
using Field = telemetry::FieldSummary;

constexpr std::size_t kMaxEnvRows = 40;

std::string record_line(const char* side, const record::RunRecord& r) {
  std::string line = fmt::format("- {} `{}`: host `{}`, file `{}`, started {}", side, md_cell(r.label),
                                 md_cell(r.host), md_cell(r.source.filename().string()),
                                 r.started_utc.empty() ? "(unknown)" : r.started_utc);
  if (auto gpu = gpu_name(r.environment); !gpu.empty()) line += fmt::format(", GPU {}", gpu);
  if (r.interrupted) line += " (interrupted: only the finished cases)";
  else if (!r.complete) line += " (incomplete)";
  return line + "\n";
}

// Many rounds make many record lines: list them when few, count them otherwise.
std::string records_lines(const char* side, const std::vector<record::RunRecord>& records) {
  constexpr std::size_t kListed = 6;
  if (records.size() <= kListed) {
    std::string out;
    for (const auto& r : records) out += record_line(side, r);
    return out;
  }
  return record_line(side, records.front()) +
         fmt::format("- {}: {} more records (one per round), the last started {}\n", side, records.size() - 1,
                     records.back().started_utc.empty() ? "(unknown)" : records.back().started_utc);
}

std::string summary_section(const compare::Comparison& c) {
  std::string out = fmt::format("**Verdict: {}.** {}\n\n", verdict_label(c.overall), c.summary);
  if (!c.stopping.empty()) out += fmt::format("Rounds: {}.\n\n", c.stopping);
  out += records_lines("Baseline", c.baseline_records);
  out += records_lines("Candidate", c.candidate_records);
  return out + "\n";
}

std::string verdict_cell(const compare::MetricComparison& m) {
  std::string label = verdict_label(m.verdict);
  if (m.verdict == compare::Verdict::Inconclusive) {
    label += m.unit == compare::TestUnit::Repetition
                 ? ": one process per side"
                 : m.rounds_to_resolve ? fmt::format(": ~{} rounds per side would resolve it", *m.rounds_to_resolve)
                                       : ": near the threshold (> 100 rounds per side)";
  }
  return label;
}

// "†" on a case whose runs stopped before their CI target; the note under the table says which.
std::string case_cell(const compare::CaseComparison& k) {
  std::string cell = fmt::format("`{}`", md_cell(k.name));
  if (k.candidate_id != k.id) cell += fmt::format(" ↔ `{}`", md_cell(k.candidate_name));
  if (k.baseline_short || k.candidate_short) cell += " †";
  return cell;
}

std::string n_cell(const compare::MetricComparison& m) {
  if (m.unit == compare::TestUnit::Round) return fmt::format("{}/{} rounds", m.baseline.units.size(), m.candidate.units.size());
  return fmt::format("{}/{} reps", m.baseline.units.size(), m.candidate.units.size());
}

std::string metric_row(const compare::CaseComparison& k, const compare::MetricComparison& m) {
  const std::string head = fmt::format("| {} | {} | {} | {} |", case_cell(k), md_cell(m.spec.name),
                                       md_cell(center_with_ci(m.baseline, m.spec.unit)),
                                       md_cell(center_with_ci(m.candidate, m.spec.unit)));
  if (m.verdict == compare::Verdict::NotComparable) {
    return head + fmt::format(" n/a | n/a | n/a | n/a | {}/{} | not comparable: {} |\n", m.baseline.units.size(),
                              m.candidate.units.size(), md_cell(m.not_comparable));
  }
  return head + fmt::format(" {} | {} | {} | {:+.2f} | {} | {} |\n", overhead_with_ci(m.overhead_pct, m.overhead_ci_pct),
                            p_value(m.p_adjusted), p_value(m.mann_whitney.p_value), m.hedges_g, n_cell(m), verdict_cell(m));
}

std::string table_header(const compare::Comparison& c, const char* welch_column) {
  return fmt::format(
      "| Case | Metric | Baseline ({}) | Candidate ({}) | Overhead [95% CI] | {} | Mann–Whitney p | Hedges' g "
      "| n (b/c) | Verdict |\n|---|---|--:|--:|--:|--:|--:|--:|--:|---|\n",
      md_cell(c.baseline_label), md_cell(c.candidate_label), welch_column);
}

// One line per layer: which layers moved and which did not, before the numbers.
std::string layer_overview(const std::vector<LayerOutcome>& layers) {
  std::string out = "By layer (each workload isolates one layer of the system):\n\n";
  for (const auto& l : layers) out += fmt::format("- **{}**: {}\n", md_cell(l.layer), l.summary);
  return out + "\n";
}

// What the marks and the basis of the tables mean, under them.
std::string table_notes(const compare::Comparison& c) {
  std::string out;
  for (const auto& k : c.cases) {
    if (!k.not_comparable.empty() || !(k.baseline_short || k.candidate_short)) continue;
    out += fmt::format("- † `{}`: {}.\n", md_cell(k.name), short_of_target_text(k));
  }
  if (!out.empty())
    out = "Cases marked † did not reach their repetition CI target in every round (raise --reps or --max-time, or "
          "quiet the machine); with rounds as the unit the round-to-round spread still decides the verdict.\n\n" +
          out + "\n";
  std::string inconclusive;
  for (const auto& k : c.cases) {
    if (k.not_comparable.empty() && k.primary.verdict == compare::Verdict::Inconclusive)
      inconclusive += fmt::format("- `{}`: {}.\n", md_cell(k.name), k.primary.inconclusive_reason);
  }
  if (!inconclusive.empty()) out += "Inconclusive cases:\n\n" + inconclusive + "\n";
  if (!c.options.ignore_params.empty()) {
    std::string names;
    for (const auto& p : c.options.ignore_params) names += (names.empty() ? "" : ", ") + fmt::format("`{}`", md_cell(p));
    out += fmt::format("Cases were paired ignoring parameter(s) {}: `a` ↔ `b` shows the baseline's and the "
                       "candidate's case.\n\n",
                       names);
  }
  std::size_t partial = 0;
  for (const auto& k : c.cases) partial += k.partial_left_out;
  if (partial > 0)
    out += fmt::format("{} round(s) of a case cut by an interrupt were left out (`--include-partial` compares them).\n\n",
                       partial);
  return out;
}

std::string results_section(const compare::Comparison& c) {
  std::string out = "## Results\n\n";
  const auto layers = layer_outcomes(c);
  std::string tables, secondary_rows;
  std::size_t secondary_count = 0;
  for (const auto& l : layers) {
    std::string rows;
    for (const auto* k : l.cases) {
      if (!k->not_comparable.empty()) continue;
      rows += metric_row(*k, k->primary);
      for (const auto& m : k->secondary) {
        secondary_rows += metric_row(*k, m);
        ++secondary_count;
      }
    }
    if (!rows.empty()) tables += fmt::format("### {}\n\n", md_cell(l.layer)) + table_header(c, "Welch p (Holm)") + rows + "\n";
  }
  if (tables.empty()) {
    out += "No case could be compared.\n\n";
  } else {
    out += layer_overview(layers);
    out += fmt::format(
        "Each side: the geometric mean of its units ± the half-width of its 95% CI, where a unit is one round's "
        "median (`n` says \"rounds\") or, where a side ran in one process, one repetition (\"reps\"). The overhead, "
        "its 95% CI, the tests and the plots use the same units: overhead = 100 × (candidate / baseline − 1) of "
        "these means (baseline / candidate for higher-is-better metrics), positive = {} worse than {}. Verdicts: "
        "*slower*/*faster* when the Holm-adjusted Welch p < {:g} and |overhead| ≥ {:g}%; *equivalent* when the 90% "
        "CI lies inside ±{:g}%; otherwise *inconclusive*.\n\n",
        c.candidate_label, c.baseline_label, c.options.alpha, c.options.min_effect_pct, c.options.min_effect_pct);
    out += tables;
    out += table_notes(c);
  }
  if (secondary_count > 0) {
    out += fmt::format("<details><summary>Secondary metrics: {} {} (Holm across the secondary metrics)</summary>\n\n{}{}\n</details>\n\n",
                       secondary_count, secondary_count == 1 ? "row" : "rows", table_header(c, "Welch p (Holm)"), secondary_rows);
  }
  std::string skipped;
  for (const auto& k : c.cases) {
    if (!k.not_comparable.empty()) skipped += fmt::format("- `{}`: {}\n", md_cell(k.name), k.not_comparable);
  }
  for (const auto& id : c.only_in_baseline) skipped += fmt::format("- `{}`: only in the baseline ({})\n", id, c.baseline_label);
  for (const auto& id : c.only_in_candidate) skipped += fmt::format("- `{}`: only in the candidate ({})\n", id, c.candidate_label);
  if (!skipped.empty()) out += "### Cases not compared\n\n" + skipped + "\n";
  return out;
}

std::string stat_cell(const Summary& summary, const char* field, double Field::*stat, const char* unit) {
  const auto* f = telemetry_field(summary, field);
  return f ? fmt::format("{} {}", number(f->*stat, 3), unit) : "n/a";
}

std::string power_cell(const Summary& summary) {
  const auto* power = telemetry_field(summary, "power_w");
  if (!power) return "n/a";
  return fmt::format("{} / {} W", number(power->mean, 3), number(power->max, 3));
}

std::string throttle_cell(const Summary& summary) {
  auto reasons = throttle_reasons(summary);
  if (!reasons) return "n/a";
  if (reasons->empty()) return "none";
  std::string joined;
  for (const auto& r : *reasons) joined += (joined.empty() ? "" : ", ") + r;
  return md_cell(joined);
}

// The most readings any one field got: how many samples the means stand on.
std::string samples(const Summary& summary) {
  std::optional<double> most;
  for (const auto& f : kTimelineFields)
    if (const auto* field = telemetry_field(summary, f.key))
      most = std::max(most.value_or(0), static_cast<double>(field->n));
  return most ? fmt::format("{:.0f}", *most) : "n/a";
}

std::string telemetry_section(const compare::Comparison& c) {
  std::string out = "## GPU telemetry\n\n";
  std::string rows;
  bool any_baseline = false, any_candidate = false;
  for (const auto& k : c.cases) {
    const auto& b = k.telemetry_baseline;
    const auto& t = k.telemetry_candidate;
    any_baseline |= has_telemetry(b);
    any_candidate |= has_telemetry(t);
    if (!has_telemetry(b) && !has_telemetry(t)) continue;
    rows += fmt::format("| `{}` | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} / {} |\n", md_cell(k.name),
                        stat_cell(b, "gpu_util_pct", &Field::mean, "%"), stat_cell(t, "gpu_util_pct", &Field::mean, "%"),
                        stat_cell(b, "sm_clock_mhz", &Field::mean, "MHz"), stat_cell(t, "sm_clock_mhz", &Field::mean, "MHz"),
                        power_cell(b), power_cell(t), stat_cell(b, "temperature_c", &Field::max, "°C"),
                        stat_cell(t, "temperature_c", &Field::max, "°C"), throttle_cell(b), throttle_cell(t), samples(b),
                        samples(t));
  }
  auto why = [&](bool candidate_side) {
    auto reasons = unavailable_reasons(c, candidate_side);
    return reasons.empty() ? std::string("no reason recorded") : reasons;
  };
  if (rows.empty()) {
    return out + fmt::format("No GPU telemetry was recorded in either run. Baseline: {}. Candidate: {}.\n\n",
                             why(false), why(true));
  }
  out += fmt::format(
      "B = baseline ({}), C = candidate ({}); means over each case's measurement, \"n/a\" where the side "
      "recorded no value. Samples: readings per side; the means of a case with a handful of them follow where "
      "they fell (NVML's utilization is itself a busy fraction over 1/6 s to 1 s, depending on the GPU).\n\n",
      md_cell(c.baseline_label), md_cell(c.candidate_label));
  out +=
      "| Case | GPU util B | GPU util C | SM clock B | SM clock C | Power mean / max B | Power mean / max C "
      "| Temp max B | Temp max C | Throttle B | Throttle C | Samples B / C |\n"
      "|---|--:|--:|--:|--:|--:|--:|--:|--:|---|---|--:|\n";
  out += rows + "\n";
  if (!any_baseline) out += fmt::format("The baseline recorded no GPU telemetry: {}.\n\n", why(false));
  if (!any_candidate) out += fmt::format("The candidate recorded no GPU telemetry: {}.\n\n", why(true));
  return out;
}

// The engine's own settings first: an engine that ran differently explains more than a field of the
// snapshot does.
std::string engine_settings_list(const compare::Comparison& c) {
  const auto diffs = diagnose::engine_setting_differences(c);
  if (diffs.empty()) return "";
  std::string out = "Engine settings that differ:\n\n";
  const auto text = [](const nlohmann::json& v) { return v.is_null() ? std::string("unset") : json_value_text(v); };
  for (const auto& d : diffs)
    out += fmt::format("- `{}` {}: baseline {}, candidate {}\n", md_cell(d.case_name), md_cell(d.setting),
                       md_cell(text(d.baseline)), md_cell(text(d.candidate)));
  return out + "\n";
}

std::string environment_section(const compare::Comparison& c) {
  std::string out = "## Environment differences\n\n" + engine_settings_list(c);
  if (c.env_differences.empty()) return out + "The two environment snapshots agree in every recorded field.\n\n";
  out += fmt::format("Most likely to matter first.\n\n| Field | Baseline ({}) | Candidate ({}) |\n|---|---|---|\n",
                     md_cell(c.baseline_label), md_cell(c.candidate_label));
  const std::size_t shown = std::min(c.env_differences.size(), kMaxEnvRows);
  for (std::size_t i = 0; i < shown; ++i) {
    const auto& d = c.env_differences[i];
    out += fmt::format("| `{}` | {} | {} |\n", md_cell(d.path), md_cell(env_value_text(d.path, d.baseline)),
                       md_cell(env_value_text(d.path, d.candidate)));
  }
  if (shown < c.env_differences.size()) {
    out += fmt::format("| ... {} more in summary.json | | |\n", c.env_differences.size() - shown);
  }
  return out + "\n";
}

// The ranked findings numbered, then the unranked notes (rank 0) as a list, then the attribution line.
std::string findings_section(const compare::Comparison& c, std::vector<diagnose::Finding> findings) {
  std::string out = "## What to check next\n\n";
  if (findings.empty()) return out + "No finding points to a cause.\n\n";
  std::stable_sort(findings.begin(), findings.end(), [](const auto& a, const auto& b) {
    return (a.rank == 0 ? INT_MAX : a.rank) < (b.rank == 0 ? INT_MAX : b.rank);
  });
  int number = 1;
  std::string notes;
  for (const auto& f : findings) {
    if (f.rank == 0) notes += fmt::format("- **{}** — {} — {}\n", f.title, f.evidence, f.action);
    else out += fmt::format("{}. **{}** — {} — {}\n", number++, f.title, f.evidence, f.action);
  }
  if (!notes.empty()) out += (number > 1 ? "\n" : "") + notes;
  if (const auto line = diagnose::attribution(c, findings); !line.empty()) out += fmt::format("\n**Attribution:** {}\n", line);
  return out + "\n";
}

std::string plots_section(const PlotResult& plots) {
  std::string out = "## Plots\n\n";
  if (!plots.note.empty()) out += plots.note + "\n\n";
  for (const auto& p : plots.plots) {
    std::string alt = p.title;  // brackets would end the alt text early
    std::replace(alt.begin(), alt.end(), '[', '(');
    std::replace(alt.begin(), alt.end(), ']', ')');
    out += fmt::format("![{}]({})", alt, p.svg.generic_string());
    if (!p.png.empty()) out += fmt::format(" ([PNG]({}))", p.png.generic_string());
    out += "\n\n";
  }
  return out;
}

std::string method_footer(const compare::Comparison& c) {
  const auto& o = c.options;
  const auto compared = std::count_if(c.cases.begin(), c.cases.end(), [](const auto& k) { return k.not_comparable.empty(); });
  return fmt::format(
      "---\n\n"
      "Method: cases paired by id; verdicts on each case's primary metric. Unit of every test: the round (one "
      "process, its median) when both sides ran in at least 2 processes, else the repetition (then the verdict is "
      "inconclusive). Welch's two-sided t-test on the logs of the units, p-values Holm-adjusted across the {} "
      "primary comparisons (family-wise alpha = {:g}; the secondary metrics are a second Holm family); the overhead's 95% and 90% CIs from the same Welch interval; "
      "Mann–Whitney U two-sided, not adjusted; Hedges' g on the logs, small-sample corrected. Slower/faster: "
      "adjusted p < {:g} and |overhead| ≥ {:g}%; equivalent: 90% CI inside ±{:g}% (two one-sided tests at 5%); "
      "otherwise inconclusive, with the rounds per side that would resolve it at the spread seen. Bands of a "
      "slower case: <10% minimal, 10–20% moderate, 20–40% significant, >40% critical. docs/methodology.md has the "
      "rules and their simulated error rates.\n\n"
      "Generated by sparkbench {}.\n",
      compared, o.alpha, o.alpha, o.min_effect_pct, o.min_effect_pct, sb::kVersion);
}

}  // namespace

std::string markdown(const compare::Comparison& c, const std::vector<diagnose::Finding>& findings,
                     const PlotResult& plots) {
  return fmt::format("# sparkbench: {} vs {}\n\n", c.candidate_label, c.baseline_label) + summary_section(c) +
         results_section(c) + telemetry_section(c) + environment_section(c) + findings_section(c, findings) +
         plots_section(plots) + method_footer(c);
}

}  // namespace sb::report
