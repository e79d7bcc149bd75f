// `sparkbench env`: the environment snapshot that every record carries.
#include <memory>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/commands.hpp"
#include "env/environment.hpp"

namespace sb::cli {

void add_env(CLI::App& app, int& exit_code) {
  auto as_json = std::make_shared<bool>(false);
  CLI::App* cmd = app.add_subcommand(
      "env", "Show the environment snapshot: GPU, driver, CUDA/cuBLAS versions and load paths, CPU, cgroups, container");
  cmd->footer("The same snapshot goes into every run record; `compare` diffs two of them.");
  cmd->add_flag("--json", *as_json, "Print JSON instead of text");
  cmd->callback([as_json, &exit_code] {
    const auto snapshot = env::capture();
    fmt::print("{}\n", *as_json ? snapshot.dump(2) : env::to_text(snapshot));
    exit_code = 0;
  });
}

}  // namespace sb::cli
