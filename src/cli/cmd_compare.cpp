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

int compare_and_report(std::vector<record::RunRecord> baseline, std::vector<record::RunRecord> candidate,
                       const CompareArgs& a) {
  const auto formats = split_formats(a.formats);
  compare::Options opt;
  opt.alpha = a.alpha;
  opt.min_effect_pct = a.min_effect;
  opt.ignore_params = a.ignore_params;
  const compare::Comparison c = compare::compare(std::move(baseline), std::move(candidate), opt);
  const std::string out = !a.out.empty() ? a.out
                                         : fmt::format("results/compare/{}_{}_vs_{}", utc_compact(),
                                                       c.baseline_label, c.candidate_label);
  ensure_writable_dir(out, "report");
  const auto files = report::write_report(c, out, formats);
  fmt::print("{}\n", c.summary);
  for (const auto& f : files) fmt::print("  {}\n", f.string());
  if (a.fail_above) {
    for (const auto& cc : c.cases)
      if (cc.not_comparable.empty() && cc.primary.significant && cc.primary.overhead_pct > *a.fail_above) {
        fmt::print(stderr, "sparkbench: {} is {:.1f}% slower, above --fail-above {}%\n", cc.id, cc.primary.overhead_pct,
                   *a.fail_above);
        return kExitThreshold;
      }
  }
  return kExitOk;
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
      "Cases are paired by workload and parameters. Per case: mean ± 95% CI on each side, overhead % of the\n"
      "candidate with a bootstrap 95% CI, Welch's t-test (Holm-corrected across the report), Mann-Whitney U,\n"
      "Hedges' g, and a verdict band (<10% minimal, 10-20 moderate, 20-40 significant, >40 critical) claimed only\n"
      "when the difference is significant and at least --min-effect %.\n\n"
      "Example:  sparkbench compare results/native results/docker --fail-above 10");
  cmd->add_option("baseline", a->baseline, "Baseline record or directory of records (e.g. results/native)")->required();
  cmd->add_option("candidate", a->candidate, "Candidate record or directory (e.g. results/docker)")->required();
  cmd->add_option("--out,-o", a->out, "Report directory (default: results/compare/<UTC>_<baseline>_vs_<candidate>)");
  cmd->add_option("--format", a->formats, "Comma list of md, json, csv (default: all three)");
  cmd->add_option("--fail-above", a->fail_above, "Exit 3 when a significant overhead exceeds this many percent")
      ->check(non_negative_percent());
  cmd->add_option("--alpha", a->alpha, "Family-wise significance level after Holm (default 0.05)");
  cmd->add_option("--min-effect", a->min_effect, "Differences below this % are reported as noise (default 2)");
  cmd->add_option("--ignore-param", a->ignore_params,
                  "Pair cases that differ only in this parameter (e.g. n, to compare two sizes); repeatable");
  cmd->add_flag("--skip-bad-records", a->skip_bad_records, kSkipBadRecordsHelp);
  cmd->callback([a, &exit_code] { exit_code = do_compare(*a); });
}

}  // namespace sb::cli
