// `sparkbench compare BASELINE CANDIDATE`: statistics, verdicts and the report.
#include <memory>
#include <optional>
#include <sstream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/commands.hpp"
#include "cli/usage.hpp"
#include "compare/compare.hpp"
#include "core/clock.hpp"
#include "core/error.hpp"
#include "diagnose/findings.hpp"
#include "report/report.hpp"

namespace sb::cli {
namespace {

std::vector<std::string> split_formats(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  for (std::string f; std::getline(ss, f, ',');) out.push_back(f);  // write_report validates them
  return out;
}

}  // namespace

compare::Options compare_options(const CompareArgs& a) {
  compare::Options opt;
  opt.alpha = a.alpha;
  opt.min_effect_pct = a.min_effect;
  opt.ignore_params = a.ignore_params;
  opt.include_partial = a.include_partial;
  return opt;
}

int compare_and_report(std::vector<record::RunRecord> baseline, std::vector<record::RunRecord> candidate,
                       const CompareArgs& a, const std::string& stopping) {
  const auto formats = split_formats(a.formats);
  compare::Comparison c = compare::compare(std::move(baseline), std::move(candidate), compare_options(a));
  c.stopping = stopping;
  const std::string out = !a.out.empty() ? a.out
                                         : fmt::format("results/compare/{}_{}_vs_{}", utc_compact(),
                                                       c.baseline_label, c.candidate_label);
  ensure_writable_dir(out, "report");
  const auto files = report::write_report(c, diagnose::find_causes(c), out, formats);
  fmt::print("{}: {}\n", compare::to_string(c.overall), c.summary);
  for (const auto& f : files) fmt::print("  {}\n", f.string());
  if (a.fail_above) {
    for (const auto& cc : c.cases)
      if (cc.not_comparable.empty() && compare::is_slower(cc.primary.verdict) && cc.primary.overhead_pct > *a.fail_above) {
        fmt::print(stderr, "sparkbench: {} is {:.1f}% slower, above --fail-above {}%\n", cc.id, cc.primary.overhead_pct,
                   *a.fail_above);
        return kExitThreshold;
      }
  }
  if (a.fail_inconclusive) {
    for (const auto& cc : c.cases)
      if (cc.not_comparable.empty() && cc.primary.verdict == compare::Verdict::Inconclusive) {
        fmt::print(stderr, "sparkbench: {} is inconclusive (--fail-inconclusive): {}\n", cc.id,
                   cc.primary.inconclusive_reason);
        return kExitInconclusive;
      }
  }
  return kExitOk;
}

void add_verdict_options(CLI::App* cmd, CompareArgs& a, bool exit_gates) {
  const char* group = "Verdict options";
  cmd->add_option("--min-effect", a.min_effect,
                  "The smallest overhead that matters, in %: a difference is claimed only beyond it, and "
                  "'equivalent' means the 90% CI lies inside ±this (default 2)")
      ->group(group);
  cmd->add_option("--alpha", a.alpha, "Family-wise significance level after Holm (default 0.05)")->group(group);
  cmd->add_flag("--include-partial", a.include_partial,
                "Compare cases cut by an interrupt too (by default their rounds are left out)")
      ->group(group);
  if (!exit_gates) return;
  cmd->add_option("--fail-above", a.fail_above, "Exit 3 when a slower case's overhead exceeds this many percent")
      ->check(non_negative_percent())
      ->group(group);
  cmd->add_flag("--fail-inconclusive", a.fail_inconclusive,
                "Exit 4 when a case is inconclusive (neither shown different nor equivalent): for CI gates that "
                "need a definite answer")
      ->group(group);
}

namespace {

int do_compare(const CompareArgs& a) {
  return compare_and_report(load_records(a.baseline, a.skip_bad_records), load_records(a.candidate, a.skip_bad_records),
                            a);
}

}  // namespace

void add_compare(CLI::App& app, int& exit_code) {
  auto a = std::make_shared<CompareArgs>();
  CLI::App* cmd = app.add_subcommand("compare", "Compare two runs (records or directories of records) and write the report");
  cmd->footer(
      "Cases are paired by workload and parameters. The unit of every test is the round (one process: the median\n"
      "of its repetitions) when both sides ran in at least 2 processes (several records per side, as `ab` writes);\n"
      "with one process per side the repetitions are the unit and a case can only be inconclusive. Per case: each\n"
      "side's geometric mean with its 95% CI, the overhead with its 95% CI, Welch's t-test on the logs (Holm-\n"
      "corrected across the report), Mann-Whitney U, Hedges' g, and a verdict:\n"
      "  slower (band) / faster  Holm-adjusted p < --alpha and |overhead| >= --min-effect\n"
      "  equivalent              the 90% CI lies inside ±--min-effect (the only 'no difference')\n"
      "  inconclusive            neither; the report says how many rounds would resolve it\n"
      "Bands of a slower case: <10% minimal, 10-20 moderate, 20-40 significant, >40 critical.\n\n"
      "Exit codes: 0, 2 bad input, 3 --fail-above exceeded, 4 --fail-inconclusive and a case is inconclusive.\n\n"
      "Examples:\n"
      "  sparkbench compare results/native results/docker --fail-above 10\n"
      "  sparkbench compare results/small results/large --ignore-param n   # the same workload at two sizes");
  cmd->add_option("baseline", a->baseline, "Baseline record or directory of records (e.g. results/native)")->required();
  cmd->add_option("candidate", a->candidate, "Candidate record or directory (e.g. results/docker)")->required();
  cmd->add_option("--out,-o", a->out, "Report directory (default: results/compare/<UTC>_<baseline>_vs_<candidate>)");
  cmd->add_option("--format", a->formats, "Comma list of md, json, csv (default: all three)");
  add_verdict_options(cmd, *a, /*exit_gates=*/true);
  // One value per use: a list option would swallow the positional records after it.
  cmd->add_option("--ignore-param", a->ignore_params,
                  "Pair cases that differ only in this parameter (e.g. n, to compare two sizes); repeatable")
      ->allow_extra_args(false);
  cmd->add_flag("--skip-bad-records", a->skip_bad_records, kSkipBadRecordsHelp);
  cmd->callback([a, &exit_code] { exit_code = do_compare(*a); });
}

}  // namespace sb::cli
