// `sparkbench list`: workloads (parameters, defaults, metrics, availability) and suites.
#include <memory>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "cli/commands.hpp"
#include "config/config.hpp"
#include "plan/plan.hpp"
#include "core/gpu_presence.hpp"
#include "workload/workload.hpp"

namespace sb::cli {
namespace {

struct ListArgs {
  std::string workload;
  bool suites = false;
  std::string config;
};

void print_workload(const Workload& w, bool detailed) {
  const GpuPresence& gpu = gpu_presence();
  const std::string avail = w.device == Device::Gpu && !gpu.present ? fmt::format("  [unavailable here: {}]", gpu.reason) : "";
  fmt::print("{:<18} {:<4} {:<16} {}{}\n", w.name, to_string(w.device), w.layer, w.help.substr(0, w.help.find('\n')), avail);
  if (!detailed) return;
  if (w.help.find('\n') != std::string::npos) fmt::print("\n{}\n", w.help);
  fmt::print("\n  parameters:\n");
  for (const auto& p : w.params) {
    fmt::print("    {:<14} {:<6} default {}", p.name, to_string(p.type), fmt::join(p.defaults, ","));
    if (!p.choices.empty()) fmt::print("  (one of: {})", fmt::join(p.choices, ", "));
    if (const std::string range = range_text(p); !range.empty()) fmt::print("  ({})", range);
    fmt::print("\n      {}\n", p.help);
  }
  fmt::print("  metrics (the first is primary):\n");
  for (const auto& m : w.metrics)
    fmt::print("    {:<22} {:<10} {:<6} {}\n", m.name, m.unit, to_string(m.better) + " is better", m.help);
}

int do_list(const ListArgs& a) {
  if (a.suites) {
    const auto path = a.config.empty() ? config::default_config_path() : std::filesystem::path(a.config);
    const config::Config cfg = config::load(path);
    const bool gpu = gpu_presence().present;
    fmt::print("suites in {}:\n", path.string());
    for (const auto& s : cfg.suites)
      fmt::print("  {:<12} {:>3} case(s) here   {}\n", s.name, plan::suite_cases(s, gpu).size(), s.description);
    return 0;
  }
  if (!a.workload.empty()) {
    print_workload(Registry::instance().get(a.workload), true);
    return 0;
  }
  fmt::print("{:<18} {:<4} {:<16} {}\n", "WORKLOAD", "DEV", "LAYER", "WHAT IT MEASURES");
  for (const auto& w : Registry::instance().all()) print_workload(w, false);
  fmt::print("\n`sparkbench list WORKLOAD` shows its parameters and metrics; `sparkbench list --suites` the suites.\n");
  return 0;
}

}  // namespace

void add_list(CLI::App& app, int& exit_code) {
  auto a = std::make_shared<ListArgs>();
  CLI::App* cmd = app.add_subcommand("list", "List workloads (parameters, defaults, metrics) or suites");
  cmd->add_option("workload", a->workload, "Show one workload in detail");
  cmd->add_flag("--suites", a->suites, "List the suites of the config file instead");
  cmd->add_option("--config", a->config, "Config file for --suites (default: benchmarks/config.yaml)");
  cmd->callback([a, &exit_code] { exit_code = do_list(*a); });
}

}  // namespace sb::cli
