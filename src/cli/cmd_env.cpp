// `sparkbench env`: the environment snapshot that every record carries.
#include <memory>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/commands.hpp"
#include "env/environment.hpp"
#include "telemetry/telemetry.hpp"

namespace sb::cli {

void add_env(CLI::App& app, int& exit_code) {
  auto as_json = std::make_shared<bool>(false);
  auto sampler_cost = std::make_shared<bool>(false);
  CLI::App* cmd = app.add_subcommand(
      "env", "Show the environment snapshot: GPU, driver, CUDA/cuBLAS versions and load paths, CPU, cgroups, container");
  cmd->footer("The same snapshot goes into every run record; `compare` diffs two of them.");
  cmd->add_flag("--json", *as_json, "Print JSON instead of text");
  cmd->add_flag("--sampler-cost", *sampler_cost,
                "Measure the GPU telemetry sampler's own cost (one NVML reading; CPU time of the 100 ms thread) as JSON");
  cmd->callback([as_json, sampler_cost, &exit_code] {
    exit_code = 0;
    if (*sampler_cost) {
      fmt::print("{}\n", telemetry::measure_sampler_cost().dump(2));
      return;
    }
    const auto snapshot = env::capture();
    fmt::print("{}\n", *as_json ? snapshot.dump(2) : env::to_text(snapshot));
  });
}

}  // namespace sb::cli
