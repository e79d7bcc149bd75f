// `sparkbench ab --env A --env B`: the same plan in two environments, interleaved A B A B ... so
// that drift (thermal state, background load) falls on both sides, then the comparison report
// with A as the baseline.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <memory>
#include <optional>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/commands.hpp"
#include "cli/plan_options.hpp"
#include "compare/compare.hpp"
#include "compare/stopping.hpp"
#include "cli/usage.hpp"
#include "core/clock.hpp"
#include "core/error.hpp"
#include "core/interrupt.hpp"
#include "launcher/session.hpp"

namespace sb::cli {
namespace {

struct AbArgs {
  PlanArgs plan;
  ContainerArgs container;
  std::vector<std::string> envs;
  std::optional<std::string> label_a, label_b;  // not given: the environment's
  std::optional<int> rounds;  // a fixed number of rounds instead of the sequential rule
  compare::StoppingRule stopping;
  std::optional<double> max_total_time_s;
  std::string out = "results";
  CompareArgs compare;
};

// The rounds rule of these arguments: a fixed number (--rounds), or rounds until --precision.
compare::StoppingRule stopping_rule(const AbArgs& a) {
  compare::StoppingRule rule = a.stopping;
  if (a.rounds) {
    if (*a.rounds < 1) throw Error("--rounds must be at least 1", "e.g. --rounds 3, or leave it out to run until --precision");
    rule.fixed = true;
    rule.min_rounds = rule.max_rounds = *a.rounds;
    return rule;
  }
  if (!(rule.precision_pct > 0))
    throw Error(fmt::format("--precision must be a positive percentage (got {})", rule.precision_pct), "e.g. --precision 2");
  if (rule.min_rounds < 2 || rule.max_rounds < rule.min_rounds)
    throw Error(fmt::format("--min-rounds {} and --max-rounds {} do not make a range", rule.min_rounds, rule.max_rounds),
                "use 2 <= --min-rounds <= --max-rounds (a round-level test needs 2 rounds per side)");
  if (a.max_total_time_s && !(*a.max_total_time_s > 0))
    throw Error("--max-total-time must be a positive number of seconds", "e.g. --max-total-time 1800");
  return rule;
}

// "after 3 rounds: 2 of 4 cases within ±2%; widest: a ±3.4% (~6 rounds per side), ..."
void print_progress(int rounds, const compare::StoppingRule& rule, const compare::StoppingCheck& check) {
  if (check.widths.empty()) return;
  if (!std::isfinite(check.widths.front().half_width_pct)) {
    fmt::print(stderr, "sparkbench ab: after {} round(s): the overhead CIs need at least 2 rounds per side\n", rounds);
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
  fmt::print(stderr, "sparkbench ab: after {} round(s): {} of {} case(s) within ±{:g}%{}\n", rounds, within,
             check.widths.size(), rule.precision_pct, widest.empty() ? "" : "; widest: " + widest);
}

void print_kept(const std::vector<std::filesystem::path>& a, const std::vector<std::filesystem::path>& b) {
  if (a.empty() && b.empty()) return;
  fmt::print(stderr, "sparkbench ab: records kept:\n");
  for (const auto* side : {&a, &b})
    for (const auto& p : *side) fmt::print(stderr, "  {}\n", p.string());
}

int do_ab(AbArgs& a) {
  if (a.envs.size() != 2)
    throw Error(fmt::format("ab needs exactly two --env, got {}", a.envs.size()),
                "e.g. sparkbench ab --env native --env docker (A is the baseline)");
  const compare::StoppingRule rule = stopping_rule(a);
  const launcher::EnvSpec spec_a = launcher::parse_env(a.envs[0]), spec_b = launcher::parse_env(a.envs[1]);
  const std::string label_a = label_or_default(a.label_a, "--label-a", spec_a);
  const std::string label_b = label_or_default(a.label_b, "--label-b", spec_b);
  for (const auto& l : {label_a, label_b}) check_label(l);
  if (label_a == label_b)
    throw Error(fmt::format("both environments would be labelled '{}'", label_a),
                "give them different names with --label-a and --label-b");
  if (!a.plan.plan_file.empty()) throw Error("ab takes --suite or --workload, not --plan-file", "leave out --plan-file");

  const plan::Plan p = resolve_plan(a.plan);
  const launcher::ContainerOptions options = container_options(a.container);
  for (const auto& l : {label_a, label_b})
    ensure_writable_dir((std::filesystem::path(a.out) / l).string(), "results");  // before any work
  // Both environments are checked and prepared before anything is measured.
  launcher::Session session_a(spec_a, options);
  launcher::Session session_b(spec_b, options);

  const std::string plan_rounds = rule.fixed ? fmt::format("{} round(s)", rule.max_rounds)
                                             : fmt::format("{}-{} rounds until ±{:g}%", rule.min_rounds, rule.max_rounds,
                                                           rule.precision_pct);
  fmt::print(stderr, "sparkbench ab: {} case(s), {}: A = '{}' {}, B = '{}' {}\n", p.cases.size(), plan_rounds, label_a,
             session_a.describe(), label_b, session_b.describe());
  std::vector<std::filesystem::path> records_a, records_b;
  std::vector<record::RunRecord> baseline, candidate;
  bool failed_case = false;
  std::string stopping;
  const auto started = std::chrono::steady_clock::now();
  for (int round = 1;; ++round) {
    for (int side = 0; side < 2; ++side) {
      launcher::Session& s = side == 0 ? session_a : session_b;
      const std::string& label = side == 0 ? label_a : label_b;
      // 130 or 143: after our own SIGINT/SIGTERM, or the run's when it was sent one of its own.
      const auto interrupted = [&](int run_exit_code) {
        print_kept(records_a, records_b);
        fmt::print(stderr, "sparkbench ab: interrupted in round {}; no comparison written\n", round);
        return interrupt::requested() ? interrupt::exit_code() : run_exit_code;
      };
      if (interrupt::requested()) return interrupted(0);  // came between two runs: no further one starts
      fmt::print(stderr, "sparkbench ab: round {}{}, {} '{}' ({})\n", round,
                 rule.fixed ? fmt::format("/{}", rule.max_rounds) : "", side == 0 ? "A" : "B", label, s.describe());
      launcher::RunOutcome o;
      try {
        o = s.run({label, p, a.out});
      } catch (const Error&) {
        print_kept(records_a, records_b);
        throw;
      }
      if (!o.record.empty()) {
        (side == 0 ? records_a : records_b).push_back(o.record);
        (side == 0 ? baseline : candidate).push_back(record::load(o.record));
      }
      failed_case |= o.exit_code == kExitFailure;
      if (o.exit_code == kExitInterrupted || o.exit_code == kExitTerminated || interrupt::requested())
        return interrupted(o.exit_code);
    }
    const compare::StoppingCheck check =
        compare::check_stopping(rule, round, compare::compare(baseline, candidate, compare_options(a.compare)));
    if (!rule.fixed) print_progress(round, rule, check);
    if (check.stop) {
      stopping = check.reason;
      break;
    }
    // Stop before a round that would end past the time limit, at the pace of the rounds so far.
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    if (a.max_total_time_s && elapsed * (round + 1) / round > *a.max_total_time_s) {
      stopping = fmt::format("stopped after {} rounds per side ({:.0f} s): another would end past --max-total-time {:g} s; {}",
                             round, elapsed, *a.max_total_time_s,
                             rule.fixed ? "fewer rounds than --rounds asked for"
                                        : fmt::format("not every case reached ±{:g}%", rule.precision_pct));
      break;
    }
  }

  fmt::print(stderr, "sparkbench ab: {}\n", stopping);
  fmt::print(stderr, "sparkbench ab: records of '{}' (A, baseline) and '{}' (B) in {}/{{{},{}}}/\n", label_a, label_b,
             a.out, label_a, label_b);
  if (a.compare.out.empty())
    a.compare.out = (std::filesystem::path(a.out) / "compare" / fmt::format("{}_{}_vs_{}", utc_compact(), label_a, label_b)).string();
  const int rc = compare_and_report(std::move(baseline), std::move(candidate), a.compare, stopping);
  if (rc != kExitOk) return rc;
  return failed_case ? kExitFailure : kExitOk;
}

}  // namespace

void add_ab(CLI::App& app, int& exit_code) {
  auto a = std::make_shared<AbArgs>();
  CLI::App* cmd = app.add_subcommand("ab", "Run the same plan in two environments, interleaved, then compare them");
  cmd->footer(
      "Each round runs the whole plan in A, then in B (A B A B ...), each run a fresh process writing one record to\n"
      "<out>/<label>/. Rounds continue until every case's overhead has a 95% CI half-width of at most --precision %\n"
      "(at least --min-rounds, at most --max-rounds, and no round that would end past --max-total-time), or exactly\n"
      "--rounds N when given. The rule looks at CI widths only, never at p-values (stopping when p looks good would\n"
      "inflate false alarms; docs/methodology.md). Then the comparison of the records of this invocation, A as\n"
      "baseline, is written to <out>/compare/<UTC>_<A>_vs_<B>/ (report.md, summary.json, summary.csv), and the\n"
      "report says which rule ended the rounds. Container options apply to every container environment. A failure\n"
      "stops the rounds and keeps the records written so far.\n\n"
      "Examples:\n"
      "  sparkbench ab --env native --env docker --suite quick          # host-mirror container, rounds until ±2%\n"
      "  sparkbench ab --env native --env docker:nvcr.io/nvidia/pytorch:25.01-py3 --suite sanity --precision 1\n"
      "  sparkbench ab --env native --env podman --workload matmul_cpu --param n=512 --cpus 0.5 --rounds 3\n");
  cmd->add_option("--env", a->envs, "The two environments, A (baseline) then B: native, docker[:IMAGE], "
                                    "podman[:IMAGE], apptainer[:IMAGE], oci[:crun|runc]")
      ->required();
  const char* rounds_group = "Rounds (when to stop)";
  cmd->add_option("--precision", a->stopping.precision_pct,
                  "Add rounds until every case's overhead CI half-width is at most this many percent (default 2)")
      ->group(rounds_group);
  cmd->add_option("--min-rounds", a->stopping.min_rounds, "Rounds per side before the precision is checked (default 4)")
      ->group(rounds_group);
  cmd->add_option("--max-rounds", a->stopping.max_rounds, "Most rounds per side (default 10)")->group(rounds_group);
  cmd->add_option("--max-total-time", a->max_total_time_s,
                  "Start no round that would end after this many seconds of the whole ab (default: no limit; "
                  "--max-time is the cap per case of each run)")
      ->group(rounds_group);
  cmd->add_option("--rounds", a->rounds, "Exactly this many rounds of A then B, whatever the precision")->group(rounds_group);
  cmd->add_option("--label-a", a->label_a, "Results directory name of A (default: from --env)");
  cmd->add_option("--label-b", a->label_b, "Results directory name of B (default: from --env)");
  cmd->add_option("--out", a->out, "Results directory (default: results)");
  add_plan_options(cmd, a->plan, /*plan_file=*/false);
  add_container_options(cmd, a->container);
  cmd->add_option("--report", a->compare.out, "Report directory (default: <out>/compare/<UTC>_<A>_vs_<B>)");
  add_verdict_options(cmd, a->compare, /*exit_gates=*/true);
  cmd->callback([a, &exit_code] { exit_code = do_ab(*a); });
}

}  // namespace sb::cli
