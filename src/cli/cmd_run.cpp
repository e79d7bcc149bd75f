// `sparkbench run`: plan cases (a suite or one workload's grid), run them natively or in a
// container (--env), write one run record.
#include <filesystem>
#include <memory>
#include <optional>
#include <mutex>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/commands.hpp"
#include "cli/plan_options.hpp"
#include "config/config.hpp"
#include "core/clock.hpp"
#include "core/error.hpp"
#include "core/interrupt.hpp"
#include "core/version.hpp"
#include "env/environment.hpp"
#include "launcher/session.hpp"
#include "runner/runner.hpp"

namespace sb::cli {
namespace {

struct RunArgs {
  PlanArgs plan;
  ContainerArgs container;
  std::string env = "native";
  std::optional<std::string> label;  // not given: the environment's (native, docker, ...)
  std::string out = "results";
  // Set by a launcher (launcher::Session) that re-executes a plan: it moves the record to the host
  // and names it there, so the path written here (inside a container, in a temporary directory)
  // is not printed: it would not exist afterwards.
  bool launched = false;
};

// The record on disk: rewritten after every case (the runner's checkpoint), and once more from the
// interrupt watcher right after a SIGINT/SIGTERM, marked interrupted, so that the file says so even
// when the process does not live to the end of the current repetition (a second signal, the SIGKILL
// `docker stop` sends after its grace period). One lock: both use write_atomic's temporary name.
class RecordFile {
 public:
  explicit RecordFile(std::filesystem::path path) : path_(std::move(path)) {}
  void write(const record::RunRecord& r) {
    std::lock_guard lock(mutex_);
    last_ = r;
    written_ = true;
    write_locked();
  }
  void mark_interrupted() {
    std::lock_guard lock(mutex_);
    if (written_) write_locked();
  }

 private:
  void write_locked() {
    if (interrupt::requested()) {  // also a checkpoint that lands after the watcher's rewrite
      last_.interrupted = true;
      last_.complete = false;
    }
    record::write(path_, last_);
  }

  std::filesystem::path path_;
  std::mutex mutex_;
  record::RunRecord last_;
  bool written_ = false;
};

int run_here(const ResolvedPlan& p, const std::string& label, const std::string& out, bool launched) {
  const auto started = std::chrono::system_clock::now();
  record::RunRecord rec;
  rec.sparkbench_version = kVersion;
  rec.label = label;
  rec.host = hostname();
  rec.started_utc = utc_iso8601(started);
  rec.command_line = command_line();
  rec.settings = config::to_json(p.settings);
  rec.settings["source"] = p.source;
  rec.plan = config::plan_to_json(p.cases);
  rec.launch = {{"mode", "native"}};
  const std::filesystem::path wanted = record::default_path(out, label, utc_compact(started), rec.host);
  ensure_writable_dir(wanted.parent_path().string(), "results");  // before any work
  const std::filesystem::path path = record::claim_unused_path(wanted);  // another run may have started this second

  fmt::print(stderr, "sparkbench {}: {} case(s), label '{}'{}\n", kVersion, p.cases.size(), label,
             launched ? "" : ", record " + path.string());
  RecordFile file(path);
  file.write(rec);  // the claimed file holds a valid record from now on
  const interrupt::Hook mark_interrupted([&] { file.mark_interrupted(); });
  rec.environment = env::capture();
  file.write(rec);

  runner::RunOptions options{p.settings, stderr_is_terminal()};
  runner::run(p.cases, options, rec, [&](const record::RunRecord& r) { file.write(r); });

  int ok = 0, unavailable = 0, failed = 0;
  for (const auto& c : rec.cases)
    (c.status == record::CaseStatus::Ok ? ok : c.status == record::CaseStatus::Unavailable ? unavailable : failed)++;
  fmt::print(stderr, "sparkbench: {} ok, {} unavailable, {} failed{}\n", ok, unavailable, failed,
             rec.interrupted ? fmt::format(" (interrupted; {} of {} cases kept)", rec.cases.size(), p.cases.size()) : "");
  if (!launched) fmt::print("{}\n", path.string());  // stdout: the record, for scripts
  if (rec.interrupted) return interrupt::exit_code();
  return failed > 0 ? kExitFailure : kExitOk;
}

int do_run(const RunArgs& a) {
  const launcher::EnvSpec spec = launcher::parse_env(a.env);
  const std::string label = label_or_default(a.label, "--label", spec);
  check_label(label);
  if (spec.container() && !a.plan.plan_file.empty())
    throw Error("--plan-file runs a plan here; it does not combine with --env", "leave out --env (or use --env native)");
  const ResolvedPlan p = resolve_plan(a.plan);
  if (!spec.container()) return run_here(p, label, a.out, a.launched);

  ensure_writable_dir((std::filesystem::path(a.out) / label).string(), "results");
  launcher::Session session(spec, container_options(a.container));
  nlohmann::json settings = config::to_json(p.settings);
  fmt::print(stderr, "sparkbench {}: {} case(s) in {}, label '{}'\n", kVersion, p.cases.size(), session.describe(), label);
  const launcher::RunOutcome o = session.run(
      {label, launcher::make_plan_file(config::plan_to_json(p.cases), settings, p.source), a.out});
  if (!o.record.empty()) fmt::print("{}\n", o.record.string());
  return interrupt::requested() ? interrupt::exit_code() : o.exit_code;
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
  add_container_options(run, a->container);
  run->add_flag("--launched", a->launched, "Set by the launchers of --env and `ab`: do not print the record's path here")
      ->group("");  // hidden: not for people
  run->callback([a, &exit_code] { exit_code = do_run(*a); });
}

}  // namespace sb::cli
