#include "cli/console.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/version.hpp"
#include "stats/stats.hpp"
#include "workload/display_id.hpp"

namespace sb::cli {

void ConsoleObserver::case_started(const runner::CaseInPlan& c) {
  title_ = fmt::format("[{}/{}] {}", c.index + 1, c.total, display_id(*c.planned.workload, c.planned.params));
  if (!progress_line_) fmt::print(stderr, "{} ...\n", title_);
}

void ConsoleObserver::case_progress(const runner::CaseInPlan&, const runner::ProgressStatus& status) {
  // One column short of the width: a line that reaches the last column wraps on some terminals.
  if (progress_line_)
    fmt::print(stderr, "\r\033[K{}", runner::fit_progress_line(title_, status, runner::terminal_columns() - 1));
}

void ConsoleObserver::case_finished(const runner::CaseInPlan&, const record::CaseResult& r) {
  if (progress_line_) fmt::print(stderr, "\r\033[K");
  std::string outcome;
  if (r.status == record::CaseStatus::Ok) {
    const auto sm = stats::describe(r.metrics.front().samples);
    outcome = fmt::format("{} median {:.4g} {} (n={}, CI ±{:.2f}%, {}, {:.1f} s)", r.metrics.front().spec.name,
                          sm.median, r.metrics.front().spec.unit, sm.n,
                          std::isfinite(sm.ci_half_width_rel) ? 100 * sm.ci_half_width_rel : 0.0, to_string(r.stop_reason),
                          r.duration_s);
  } else {
    outcome = fmt::format("{}: {}", to_string(r.status), r.message);
  }
  fmt::print(stderr, "{}  {}\n", title_, outcome);
}

void ConsoleObserver::run_started(const session::RunStarted& e) {
  if (!e.environment.empty())
    fmt::print(stderr, "sparkbench {}: {} case(s) in {}, label '{}'\n", kVersion, e.cases, e.environment, e.label);
  else
    fmt::print(stderr, "sparkbench {}: {} case(s), label '{}'{}\n", kVersion, e.cases, e.label,
               launched_ ? "" : ", record " + e.record.string());
}

void ConsoleObserver::run_finished(const session::RunFinished& e) {
  fmt::print(stderr, "sparkbench: {} ok, {} unavailable, {} failed{}\n", e.ok, e.unavailable, e.failed,
             e.interrupted ? fmt::format(" (interrupted; {} of {} cases kept)", e.kept, e.planned) : "");
}

// "canary (start): cpu_loop 1.52 ns, device_read 3950 GB/s, bf16_gemm 640 TFLOP/s, 610 W"
void ConsoleObserver::canary_measured(const session::CanaryMeasured& e) {
  std::vector<std::string> parts;
  for (const canary::Probe& p : e.result.probes) parts.push_back(fmt::format("{} {:.4g} {}", p.name, p.value, p.metric.unit));
  if (e.result.telemetry && e.result.telemetry->power_w)
    parts.push_back(fmt::format("{:.0f} W", e.result.telemetry->power_w->mean));
  fmt::print(stderr, "sparkbench: canary ({}): {}{}\n", e.when, fmt::join(parts, ", "),
             e.result.skipped.empty() ? "" : fmt::format(" (no GPU probes: {})", e.result.skipped));
}

void ConsoleObserver::ab_started(const session::AbStarted& e) {
  const compare::StoppingRule& rule = e.rule;
  const std::string plan_rounds = rule.fixed ? fmt::format("{} round(s)", rule.max_rounds)
                                             : fmt::format("{}-{} rounds until ±{:g}%", rule.min_rounds, rule.max_rounds,
                                                           rule.precision_pct);
  fmt::print(stderr, "sparkbench ab: {} case(s), {}: A = '{}' {}, B = '{}' {}\n", e.cases, plan_rounds, e.label_a,
             e.environment_a, e.label_b, e.environment_b);
}

void ConsoleObserver::round_started(const session::RoundStarted& e) {
  fmt::print(stderr, "sparkbench ab: round {}{}, {} '{}' ({})\n", e.round,
             e.rule.fixed ? fmt::format("/{}", e.rule.max_rounds) : "", e.side == session::Side::A ? "A" : "B", e.label,
             e.environment);
}

// "after 3 rounds: 2 of 4 cases within ±2%; widest: a ±3.4% (~6 rounds per side), ..."
void ConsoleObserver::round_finished(const session::RoundFinished& e) {
  const compare::StoppingRule& rule = e.rule;
  const compare::StoppingCheck& check = e.check;
  if (rule.fixed || check.widths.empty()) return;
  if (!std::isfinite(check.widths.front().half_width_pct)) {
    fmt::print(stderr, "sparkbench ab: after {} round(s): the overhead CIs need at least 2 rounds per side\n", e.round);
    return;
  }
  const auto within = std::count_if(check.widths.begin(), check.widths.end(),
                                    [&](const auto& w) { return w.half_width_pct <= rule.precision_pct; });
  std::string widest;
  for (std::size_t i = 0; i < std::min<std::size_t>(check.widths.size(), 4); ++i) {
    const auto& w = check.widths[i];
    if (w.half_width_pct <= rule.precision_pct) break;
    widest += fmt::format("{}{} ±{:.2f}%{}", widest.empty() ? "" : ", ", w.name, w.half_width_pct,
                          w.rounds_needed ? fmt::format(" (~{} rounds per side)", *w.rounds_needed) : "");
  }
  fmt::print(stderr, "sparkbench ab: after {} round(s): {} of {} case(s) within ±{:g}%{}\n", e.round, within,
             check.widths.size(), rule.precision_pct, widest.empty() ? "" : "; widest: " + widest);
}

void ConsoleObserver::records_kept(const std::vector<std::filesystem::path>& a,
                                   const std::vector<std::filesystem::path>& b) {
  if (a.empty() && b.empty()) return;
  fmt::print(stderr, "sparkbench ab: records kept:\n");
  for (const auto* side : {&a, &b})
    for (const auto& p : *side) fmt::print(stderr, "  {}\n", p.string());
}

void ConsoleObserver::ab_interrupted(int round) {
  fmt::print(stderr, "sparkbench ab: interrupted in round {}; no comparison written\n", round);
}

void ConsoleObserver::ab_finished(const session::AbFinished& e) {
  fmt::print(stderr, "sparkbench ab: {}\n", e.stopping);
  fmt::print(stderr, "sparkbench ab: records of '{}' (A, baseline) and '{}' (B) in {}/{{{},{}}}/\n", e.label_a, e.label_b,
             e.out.string(), e.label_a, e.label_b);
}

}  // namespace sb::cli
