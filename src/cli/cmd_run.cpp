// `sparkbench run`: plan cases (a suite or one workload's grid), run them, write one run record.
#include <filesystem>
#include <map>
#include <memory>
#include <optional>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "cli/commands.hpp"
#include "config/config.hpp"
#include "core/clock.hpp"
#include "core/error.hpp"
#include "core/gpu_presence.hpp"
#include "core/version.hpp"
#include "env/environment.hpp"
#include "runner/runner.hpp"

namespace sb::cli {
namespace {

struct RunArgs {
  std::string suite;
  std::string workload;
  std::vector<std::string> params;
  std::string config;
  std::string label = "native";
  std::string out = "results";
  std::optional<int> reps, min_reps, warmup, telemetry_ms;
  std::optional<double> max_time, ci_target;
  std::optional<std::uint64_t> seed;
  bool allow_unavailable = false;
};

config::Axes parse_param_args(const std::vector<std::string>& args) {
  config::Axes axes;
  for (const auto& a : args) {
    const auto eq = a.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == a.size())
      throw Error(fmt::format("--param '{}' is not of the form name=value", a),
                  "write e.g. --param n=4096 or --param precision=fp16,bf16 (a comma list makes a grid)");
    std::vector<std::string> values;
    std::string rest = a.substr(eq + 1);
    for (std::size_t start = 0;;) {
      const auto comma = rest.find(',', start);
      values.push_back(rest.substr(start, comma - start));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    axes[a.substr(0, eq)] = values;
  }
  return axes;
}

bool is_safe_label(const std::string& s) {
  if (s.empty() || s == "." || s == "..") return false;
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.')) return false;
  return true;
}

int do_run(const RunArgs& a) {
  if (!is_safe_label(a.label))
    throw Error(fmt::format("label '{}' is not usable as a directory name", a.label),
                "use letters, digits, '-', '_' or '.', e.g. --label native or --label docker-ngc");
  if (!a.suite.empty() && !a.workload.empty())
    throw Error("--suite and --workload were both given", "choose one: a named suite, or one workload with --param");
  if (!a.params.empty() && a.workload.empty())
    throw Error("--param needs --workload", "e.g. sparkbench run --workload matmul --param n=4096");

  // Settings: built-in defaults < config defaults < suite settings < command line.
  config::Settings settings;
  std::optional<config::Config> cfg;
  const std::string config_path = a.config.empty() ? config::default_config_path().string() : a.config;
  if (!a.config.empty() || a.workload.empty()) cfg = config::load(config_path);
  else if (std::filesystem::exists(config_path)) cfg = config::load(config_path);
  if (cfg) settings = cfg->defaults;

  const GpuPresence& gpu = gpu_presence();
  std::vector<config::PlannedCase> plan;
  nlohmann::json plan_source;
  if (!a.workload.empty()) {
    plan = config::expand(Registry::instance().get(a.workload), parse_param_args(a.params));
    plan_source = {{"workload", a.workload}, {"params", a.params}};
  } else {
    const std::string suite_name = a.suite.empty() ? "sanity" : a.suite;
    const config::Suite& suite = cfg->suite(suite_name);
    config::apply_overrides(settings, suite.settings, fmt::format("suite '{}' settings", suite_name));
    plan = config::plan_suite(suite, gpu.present);
    plan_source = {{"suite", suite_name}, {"config", config_path}};
    if (!gpu.present)
      fmt::print(stderr, "sparkbench: no GPU ({}); running the CPU cases of suite '{}'\n", gpu.reason, suite_name);
    if (plan.empty())
      throw Error(fmt::format("suite '{}' has no case that can run on this machine", suite_name),
                  "its cases are all `when: gpu`; run it on a machine with a GPU, or pick another suite "
                  "(`sparkbench list --suites`)");
  }
  nlohmann::json cli_overrides = nlohmann::json::object();
  if (a.reps) cli_overrides["max_reps"] = *a.reps;
  if (a.min_reps) cli_overrides["min_reps"] = *a.min_reps;
  if (a.reps && !a.min_reps && *a.reps < settings.min_reps) cli_overrides["min_reps"] = std::max(2, *a.reps);
  if (a.warmup) cli_overrides["warmup"] = *a.warmup;
  if (a.max_time) cli_overrides["max_time_s"] = *a.max_time;
  if (a.ci_target) cli_overrides["ci_target_pct"] = *a.ci_target;
  if (a.telemetry_ms) cli_overrides["telemetry_interval_ms"] = *a.telemetry_ms;
  if (a.seed) cli_overrides["seed"] = static_cast<double>(*a.seed);
  config::apply_overrides(settings, cli_overrides, "command line");

  if (!gpu.present && !a.allow_unavailable) {
    std::vector<std::string> gpu_cases;
    for (const auto& c : plan)
      if (c.workload->device == Device::Gpu) gpu_cases.push_back(c.id());
    if (!gpu_cases.empty())
      throw Error(fmt::format("{} GPU case(s) requested ({}{}) but no GPU can be used here: {}", gpu_cases.size(),
                              gpu_cases.front(), gpu_cases.size() > 1 ? ", ..." : "", gpu.reason),
                  "run on a machine with an NVIDIA GPU and driver (check `nvidia-smi`), use a CPU workload "
                  "(e.g. matmul_cpu; see `sparkbench list`), or pass --allow-unavailable to record them as unavailable");
  }

  const auto started = std::chrono::system_clock::now();
  record::RunRecord rec;
  rec.sparkbench_version = kVersion;
  rec.label = a.label;
  rec.host = hostname();
  rec.started_utc = utc_iso8601(started);
  rec.command_line = command_line();
  rec.settings = config::to_json(settings);
  rec.settings["source"] = plan_source;
  rec.plan = config::plan_to_json(plan);
  rec.launch = {{"mode", "native"}};
  const std::filesystem::path path = record::default_path(a.out, a.label, utc_compact(started), rec.host);
  ensure_writable_dir(path.parent_path().string(), "results");  // before any work

  fmt::print(stderr, "sparkbench {}: {} case(s), label '{}', record {}\n", kVersion, plan.size(), a.label, path.string());
  rec.environment = env::capture();

  runner::RunOptions options{settings, stderr_is_terminal()};
  runner::run(plan, options, rec, [&](const record::RunRecord& r) {
    record::write_atomic(path, to_json(r).dump(1));
  });

  int ok = 0, unavailable = 0, failed = 0;
  for (const auto& c : rec.cases) (c.status == "ok" ? ok : c.status == "unavailable" ? unavailable : failed)++;
  fmt::print(stderr, "sparkbench: {} ok, {} unavailable, {} failed{}\n", ok, unavailable, failed,
             rec.interrupted ? fmt::format(" (interrupted; {} of {} cases kept)", rec.cases.size(), plan.size()) : "");
  fmt::print("{}\n", path.string());  // stdout: the record, for scripts
  if (rec.interrupted) return kExitInterrupted;
  return failed > 0 ? kExitFailure : kExitOk;
}

}  // namespace

void add_run(CLI::App& app, int& exit_code) {
  auto a = std::make_shared<RunArgs>();
  CLI::App* run = app.add_subcommand("run", "Run a suite (or one workload's parameter grid) and write one run record");
  run->footer(
      "The record goes to <out>/<label>/<UTC-timestamp>_<host>.json, rewritten atomically after every case:\n"
      "Ctrl-C keeps the finished cases. Each case: warm-up, then repetitions until the 95% CI half-width of\n"
      "its primary metric is under --ci-target % of the mean, or --reps / --max-time is reached.\n\n"
      "Examples:\n"
      "  sparkbench run                                   # suite 'sanity' (matmul; CPU-only cases without a GPU)\n"
      "  sparkbench run --suite quick --label native\n"
      "  sparkbench run --workload matmul --param n=8192 --param precision=bf16,fp16 --reps 20\n");
  run->add_option("--suite", a->suite, "Named suite from the config (default: sanity); see `sparkbench list --suites`");
  run->add_option("--workload,-w", a->workload, "Run one workload instead of a suite; see `sparkbench list`");
  run->add_option("--param,-p", a->params, "name=value or name=v1,v2 (a grid); with --workload; repeatable");
  run->add_option("--config", a->config, "Config file (default: $SPARKBENCH_CONFIG or benchmarks/config.yaml)");
  run->add_option("--label", a->label, "Name of this environment, e.g. native, docker (default: native)");
  run->add_option("--out", a->out, "Results directory (default: results)");
  run->add_option("--reps", a->reps, "Maximum measured repetitions per case (default from config: 30)");
  run->add_option("--min-reps", a->min_reps, "Minimum measured repetitions per case (default 5, at least 2)");
  run->add_option("--warmup", a->warmup, "Warm-up repetitions per case, discarded (default 2)");
  run->add_option("--max-time", a->max_time, "Time cap per case in seconds (default 60)");
  run->add_option("--ci-target", a->ci_target, "Stop when the 95% CI half-width is below this % of the mean (default 1)");
  run->add_option("--telemetry-interval", a->telemetry_ms, "GPU telemetry sampling interval in ms; 0 disables (default 100)");
  run->add_option("--seed", a->seed, "Seed of every input generator (default 42)");
  run->add_flag("--allow-unavailable", a->allow_unavailable,
                "Record GPU cases as unavailable instead of refusing to start when no GPU is present");
  run->callback([a, &exit_code] { exit_code = do_run(*a); });
}

}  // namespace sb::cli
