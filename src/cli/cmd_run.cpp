// `sparkbench run`: plan cases (a suite or one workload's grid), run them natively or in a
// container (--env), write one run record.
#include <filesystem>
#include <memory>
#include <optional>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/commands.hpp"
#include "cli/console.hpp"
#include "cli/plan_options.hpp"
#include "core/error.hpp"
#include "session/run.hpp"

namespace sb::cli {
namespace {

struct RunArgs {
  PlanArgs plan;
  ContainerArgs container;
  std::string env = "native";
  std::optional<std::string> label;  // not given: the environment's (native, docker, ...)
  std::string out = "results";
  bool canary = false;
  // Set by a launcher (launcher::Session) that re-executes a plan: it moves the record to the host
  // and names it there, so the path written here (inside a container, in a temporary directory)
  // is not printed: it would not exist afterwards.
  bool launched = false;
};

int do_run(RunArgs& a) {
  const launcher::EnvSpec spec = launcher::parse_env(a.env);
  const std::string label = label_or_default(a.label, "--label", spec);
  check_label(label);
  if (spec.container() && !a.plan.plan_file.empty())
    throw Error("--plan-file runs a plan here; it does not combine with --env", "leave out --env (or use --env native)");
  if (a.canary) a.plan.canary = true;  // else the config's (a plan file's: its own)
  const plan::Plan p = resolve_plan(a.plan);
  ensure_writable_dir((std::filesystem::path(a.out) / label).string(), "results");  // before any work
  ConsoleObserver console(stderr_is_terminal(), a.launched);
  if (!spec.container()) {
    const session::RunOutcome o = session::run_here({p, label, a.out, command_line()}, console);
    if (!a.launched) fmt::print("{}\n", o.record.string());  // stdout: the record, for scripts
    return o.exit_code;
  }
  const session::RunOutcome o =
      session::run_elsewhere({p, spec, container_options(a.container), label, a.out}, console);
  if (!o.record.empty()) fmt::print("{}\n", o.record.string());
  return o.exit_code;
}

}  // namespace

void add_run(CLI::App& app, int& exit_code) {
  auto a = std::make_shared<RunArgs>();
  CLI::App* run = app.add_subcommand("run", "Run a suite (or one workload's parameter grid) and write one run record");
  run->footer(
      "The record goes to <out>/<label>/<UTC-timestamp>_<host>.json, rewritten atomically after every case:\n"
      "Ctrl-C (SIGINT, exit 130) or SIGTERM (exit 143) stops after the current repetition and keeps the cases\n"
      "so far, the cut one marked partial; a second signal aborts at once. Each case: warm-up, then\n"
      "repetitions until the 95% CI half-width of its primary metric is under --ci-target % of the mean,\n"
      "or --reps / --max-time is reached.\n\n"
      "--env runs the same binary in a container (see `sparkbench runtimes`): without an image the host's\n"
      "userland is mounted read-only into a minimal image (host-mirror), so only namespaces and cgroups differ;\n"
      "with an image the sparkbench bundle is mounted into it. The exact command goes into the record.\n\n"
      "Examples:\n"
      "  sparkbench run                                   # suite 'sanity' (matmul; CPU-only cases without a GPU)\n"
      "  sparkbench run --suite quick --label native\n"
      "  sparkbench run --workload matmul --param n=8192 --param precision=bf16,fp16 --reps 20\n"
      "  sparkbench run --suite quick --env docker --cpus 4  # host-mirror container with a CPU quota\n"
      "  sparkbench run --suite sanity --env docker:nvcr.io/nvidia/pytorch:25.01-py3\n");
  add_plan_options(run, a->plan, /*plan_file=*/true);
  run->add_option("--env", a->env,
                  "Where to run: native (default), docker[:IMAGE], podman[:IMAGE], apptainer[:IMAGE], oci[:crun|runc]");
  run->add_option("--label", a->label, "Name of this environment's results directory (default: from --env, e.g. native, docker)");
  run->add_option("--out", a->out, "Results directory (default: results)");
  run->add_flag("--canary", a->canary,
                "Run the canary (a CPU loop; a device read and a bf16 GEMM when the plan has GPU cases) before the "
                "first case and after the last, into the record's `canary`: did the machine itself slow down?");
  add_container_options(run, a->container);
  run->add_flag("--launched", a->launched, "Set by the launchers of --env and `ab`: do not print the record's path here")
      ->group("");  // hidden: not for people
  run->callback([a, &exit_code] { exit_code = do_run(*a); });
}

}  // namespace sb::cli
