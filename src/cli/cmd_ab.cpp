// `sparkbench ab --env A --env B`: the same plan in two environments, interleaved A B A B ... so
// that drift (thermal state, background load) falls on both sides (session::run_ab), then the
// comparison report with A as the baseline.
#include <filesystem>
#include <memory>
#include <optional>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/commands.hpp"
#include "cli/console.hpp"
#include "cli/plan_options.hpp"
#include "compare/stopping.hpp"
#include "core/clock.hpp"
#include "core/error.hpp"
#include "session/ab.hpp"
#include "session/drop_caches.hpp"

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
  bool no_canary = false;
  bool drop_caches = false;
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

  a.plan.canary = !a.no_canary;
  const plan::Plan p = resolve_plan(a.plan);
  const launcher::ContainerOptions options = container_options(a.container);
  for (const auto& l : {label_a, label_b})
    ensure_writable_dir((std::filesystem::path(a.out) / l).string(), "results");  // before any work
  ConsoleObserver console(stderr_is_terminal(), /*launched=*/false);
  session::AbOutcome o = session::run_ab({.plan = p,
                                          .env_a = spec_a,
                                          .env_b = spec_b,
                                          .label_a = label_a,
                                          .label_b = label_b,
                                          .options = options,
                                          .rule = rule,
                                          .max_total_time_s = a.max_total_time_s,
                                          .compare = compare_options(a.compare),
                                          .out = a.out,
                                          .drop_caches = a.drop_caches ? std::optional<std::filesystem::path>(
                                                                             session::kDropCachesControl)
                                                                       : std::nullopt},
                                         console);
  if (o.interrupted) return *o.interrupted;
  if (a.compare.out.empty())
    a.compare.out = (std::filesystem::path(a.out) / "compare" / fmt::format("{}_{}_vs_{}", utc_compact(), label_a, label_b)).string();
  const int rc = compare_and_report(std::move(o.baseline), std::move(o.candidate), a.compare, o.stopping);
  if (rc != kExitOk) return rc;
  return o.failed_case ? kExitFailure : kExitOk;
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
      "Every run measures the canary (about a second: a one-core integer loop; a device read and a bf16 GEMM when\n"
      "the plan has GPU cases, with the GPU's power and clocks) before its first case and after its last, into its\n"
      "record's `canary` (start, end): when the canary moves with the workload, the machine changed, not the\n"
      "environment. --no-canary leaves it out.\n\n"
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
  cmd->add_flag("--no-canary", a->no_canary,
                "Leave out the canary that every run (each side of each round) measures before its first case and "
                "after its last, into its record's `canary`");
  cmd->add_flag("--drop-caches", a->drop_caches,
                "sync and drop the page cache (3 > /proc/sys/vm/drop_caches; root only) before each run of each round, "
                "so that each starts with the same free memory (on GB10 CUDA's free memory leaves out the page cache); "
                "each record's launch says caches_dropped");
  add_plan_options(cmd, a->plan, /*plan_file=*/false);
  add_container_options(cmd, a->container);
  cmd->add_option("--report", a->compare.out, "Report directory (default: <out>/compare/<UTC>_<A>_vs_<B>)");
  add_verdict_options(cmd, a->compare, /*exit_gates=*/true);
  cmd->callback([a, &exit_code] { exit_code = do_ab(*a); });
}

}  // namespace sb::cli
