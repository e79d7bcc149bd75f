// `sparkbench ab --env A --env B`: the same plan in two environments, interleaved A B A B ... so
// that drift (thermal state, background load) falls on both sides, then the comparison report
// with A as the baseline.
#include <filesystem>
#include <memory>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/commands.hpp"
#include "cli/plan_options.hpp"
#include "config/config.hpp"
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
  std::string label_a, label_b;
  int rounds = 3;
  std::string out = "results";
  CompareArgs compare;
};

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
  if (a.rounds < 1) throw Error("--rounds must be at least 1", "e.g. --rounds 3");
  const launcher::EnvSpec spec_a = launcher::parse_env(a.envs[0]), spec_b = launcher::parse_env(a.envs[1]);
  const std::string label_a = a.label_a.empty() ? spec_a.default_label() : a.label_a;
  const std::string label_b = a.label_b.empty() ? spec_b.default_label() : a.label_b;
  for (const auto& l : {label_a, label_b})
    if (!is_safe_label(l))
      throw Error(fmt::format("label '{}' is not usable as a directory name", l), "use letters, digits, '-', '_' or '.'");
  if (label_a == label_b)
    throw Error(fmt::format("both environments would be labelled '{}'", label_a),
                "give them different names with --label-a and --label-b");
  if (!a.plan.plan_file.empty()) throw Error("ab takes --suite or --workload, not --plan-file", "leave out --plan-file");

  const ResolvedPlan p = resolve_plan(a.plan);
  const launcher::ContainerOptions options = container_options(a.container);
  for (const auto& l : {label_a, label_b})
    ensure_writable_dir((std::filesystem::path(a.out) / l).string(), "results");  // before any work
  // Both environments are checked and prepared before anything is measured.
  launcher::Session session_a(spec_a, options);
  launcher::Session session_b(spec_b, options);
  const nlohmann::json plan_file =
      launcher::make_plan_file(config::plan_to_json(p.cases), config::to_json(p.settings), p.source);

  fmt::print(stderr, "sparkbench ab: {} case(s), {} round(s): A = '{}' {}, B = '{}' {}\n", p.cases.size(), a.rounds,
             label_a, session_a.describe(), label_b, session_b.describe());
  std::vector<std::filesystem::path> records_a, records_b;
  bool failed_case = false;
  for (int round = 1; round <= a.rounds; ++round) {
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
      fmt::print(stderr, "sparkbench ab: round {}/{}, {} '{}' ({})\n", round, a.rounds, side == 0 ? "A" : "B", label,
                 s.describe());
      launcher::RunOutcome o;
      try {
        o = s.run({label, plan_file, a.out});
      } catch (const Error&) {
        print_kept(records_a, records_b);
        throw;
      }
      if (!o.record.empty()) (side == 0 ? records_a : records_b).push_back(o.record);
      failed_case |= o.exit_code == kExitFailure;
      if (o.exit_code == kExitInterrupted || o.exit_code == kExitTerminated || interrupt::requested())
        return interrupted(o.exit_code);
    }
  }

  std::vector<record::RunRecord> baseline, candidate;
  for (const auto& r : records_a) baseline.push_back(record::load(r));
  for (const auto& r : records_b) candidate.push_back(record::load(r));
  fmt::print(stderr, "sparkbench ab: records of '{}' (A, baseline) and '{}' (B) in {}/{{{},{}}}/\n", label_a, label_b,
             a.out, label_a, label_b);
  if (a.compare.out.empty())
    a.compare.out = (std::filesystem::path(a.out) / "compare" / fmt::format("{}_{}_vs_{}", utc_compact(), label_a, label_b)).string();
  const int rc = compare_and_report(std::move(baseline), std::move(candidate), a.compare);
  if (rc != kExitOk) return rc;
  return failed_case ? kExitFailure : kExitOk;
}

}  // namespace

void add_ab(CLI::App& app, int& exit_code) {
  auto a = std::make_shared<AbArgs>();
  CLI::App* cmd = app.add_subcommand("ab", "Run the same plan in two environments, interleaved, then compare them");
  cmd->footer(
      "Each round runs the whole plan in A, then in B (A B A B ...), each run a fresh process writing one record to\n"
      "<out>/<label>/; then the comparison of the records of this invocation, A as baseline, is written to\n"
      "<out>/compare/<UTC>_<A>_vs_<B>/ (report.md, summary.json, summary.csv). Container options apply to\n"
      "every container environment. A failure stops the rounds and keeps the records written so far.\n\n"
      "Examples:\n"
      "  sparkbench ab --env native --env docker --suite quick          # host-mirror container\n"
      "  sparkbench ab --env native --env docker:nvcr.io/nvidia/pytorch:25.01-py3 --suite sanity --rounds 5\n"
      "  sparkbench ab --env native --env podman --workload matmul_cpu --param n=512 --cpus 0.5\n");
  cmd->add_option("--env", a->envs, "The two environments, A (baseline) then B: native, docker[:IMAGE], "
                                    "podman[:IMAGE], apptainer[:IMAGE], oci[:crun|runc]")
      ->required();
  cmd->add_option("--rounds", a->rounds, "Rounds of A then B (default 3)");
  cmd->add_option("--label-a", a->label_a, "Results directory name of A (default: from --env)");
  cmd->add_option("--label-b", a->label_b, "Results directory name of B (default: from --env)");
  cmd->add_option("--out", a->out, "Results directory (default: results)");
  add_plan_options(cmd, a->plan, /*plan_file=*/false);
  add_container_options(cmd, a->container);
  cmd->add_option("--report", a->compare.out, "Report directory (default: <out>/compare/<UTC>_<A>_vs_<B>)");
  cmd->add_option("--fail-above", a->compare.fail_above, "Exit 3 when a significant overhead exceeds this many percent");
  cmd->add_option("--alpha", a->compare.alpha, "Family-wise significance level after Holm (default 0.05)");
  cmd->add_option("--min-effect", a->compare.min_effect, "Differences below this % are reported as noise (default 2)");
  cmd->callback([a, &exit_code] { exit_code = do_ab(*a); });
}

}  // namespace sb::cli
